"""privacy: the staff access log of customer data, each shop's retention period, export mail state

Revision ID: 0014_privacy
Revises: 0014_email_lookup
Create Date: 2026-11-24 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0014_privacy'
down_revision = '0014_email_lookup'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('customer_access_log',
    sa.Column('id', BigId, nullable=False),
    sa.Column('staff_user_id', sa.String(length=64), nullable=True),
    sa.Column('view', sa.String(length=64), nullable=False),
    sa.Column('customer_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('recovery_case_id', sa.BigInteger(), nullable=True),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', BigId, nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_customer_access_log_shop_id_shops'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_access_log'))
    )
    with op.batch_alter_table('customer_access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_access_log_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_customer_access_log_shop_customer', ['shop_id', 'customer_shopify_id'],
                              unique=False)
    op.create_table('privacy_settings',
    sa.Column('id', BigId, nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('shop_id', BigId, nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_privacy_settings_shop_id_shops'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_settings')),
    sa.UniqueConstraint('shop_id', name=op.f('uq_privacy_settings_shop_id'))
    )
    with op.batch_alter_table('privacy_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_settings_shop_id'), ['shop_id'], unique=False)
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emailed_at', app.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.drop_column('emailed_at')
    with op.batch_alter_table('privacy_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_settings_shop_id'))
    op.drop_table('privacy_settings')
    with op.batch_alter_table('customer_access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_access_log_shop_customer')
        batch_op.drop_index(batch_op.f('ix_customer_access_log_shop_id'))
    op.drop_table('customer_access_log')
