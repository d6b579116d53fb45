"""supply settings (order routing) and one routing decision per order

Revision ID: 0004_supply_settings
Revises: 0003_supply
Create Date: 2026-11-24 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base


revision = '0004_supply_settings'
down_revision = '0003_supply'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supply_settings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('routing_enabled', sa.Boolean(), nullable=False),
    sa.Column('routing_min_gain_days', sa.Integer(), nullable=False),
    sa.Column('routing_always_for_tiers', sa.JSON(), nullable=False),
    sa.Column('routing_service_level', sa.String(length=16), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_supply_settings_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supply_settings')),
    sa.UniqueConstraint('shop_id', name=op.f('uq_supply_settings_shop_id'))
    )
    with op.batch_alter_table('supply_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supply_settings_shop_id'), ['shop_id'], unique=False)

    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_routing_decisions_shop_id_order_shopify_id'), ['shop_id', 'order_shopify_id'])


def downgrade() -> None:
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_routing_decisions_shop_id_order_shopify_id'), type_='unique')

    with op.batch_alter_table('supply_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supply_settings_shop_id'))

    op.drop_table('supply_settings')
