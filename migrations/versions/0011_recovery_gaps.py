"""recovery: stock notices beside the timed stage-3 reminder, lines waiting for stock, cart demand per day,
line and variant images, the shop's primary locale

Revision ID: 0011_recovery_gaps
Revises: 0010_dashboard
Create Date: 2026-11-24 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_recovery_gaps'
down_revision = '0010_dashboard'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('recovery_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='timed', nullable=False))
        batch_op.drop_constraint('uq_recovery_messages_case_id_stage', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_recovery_messages_case_id_stage_kind'),
                                          ['case_id', 'stage', 'kind'])

    op.create_table('recovery_waiting_items',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('case_id', BIG_ID, nullable=False),
    sa.Column('variant_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('shop_id', BIG_ID, nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['recovery_cases.id'],
                            name=op.f('fk_recovery_waiting_items_case_id_recovery_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_recovery_waiting_items_shop_id_shops'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_waiting_items')),
    sa.UniqueConstraint('case_id', 'variant_id', name=op.f('uq_recovery_waiting_items_case_id_variant_id'))
    )
    with op.batch_alter_table('recovery_waiting_items', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_waiting_items_variant', ['shop_id', 'variant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_waiting_items_shop_id'), ['shop_id'], unique=False)

    op.create_table('cart_demand_daily',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('variant_id', sa.BigInteger(), nullable=False),
    sa.Column('region', sa.String(length=2), nullable=False),
    sa.Column('carted', sa.Integer(), nullable=False),
    sa.Column('dropped', sa.Integer(), nullable=False),
    sa.Column('shop_id', BIG_ID, nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_cart_demand_daily_shop_id_shops'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_demand_daily')),
    sa.UniqueConstraint('shop_id', 'day', 'variant_id', 'region',
                        name=op.f('uq_cart_demand_daily_shop_id_day_variant_id_region'))
    )
    with op.batch_alter_table('cart_demand_daily', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_demand_daily_shop_id'), ['shop_id'], unique=False)

    with op.batch_alter_table('checkout_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_url', sa.String(length=2048), nullable=True))
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_url', sa.String(length=2048), nullable=True))
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('primary_locale', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('primary_locale')
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_column('image_url')
    with op.batch_alter_table('checkout_lines', schema=None) as batch_op:
        batch_op.drop_column('image_url')
    with op.batch_alter_table('cart_demand_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_demand_daily_shop_id'))
    op.drop_table('cart_demand_daily')
    with op.batch_alter_table('recovery_waiting_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_waiting_items_shop_id'))
        batch_op.drop_index('ix_recovery_waiting_items_variant')
    op.drop_table('recovery_waiting_items')
    # A stage-3 stock notice has no place in the old (case, stage) key: drop them before restoring it.
    op.execute("DELETE FROM recovery_messages WHERE kind <> 'timed'")
    with op.batch_alter_table('recovery_messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_recovery_messages_case_id_stage_kind', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_recovery_messages_case_id_stage'), ['case_id', 'stage'])
        batch_op.drop_column('kind')
