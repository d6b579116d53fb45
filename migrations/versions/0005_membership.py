"""membership: spend ledger, memberships, tier changes and settings

Revision ID: 0005_membership
Revises: 0004_supply_settings
Create Date: 2026-11-24 04:00:58.659937
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0005_membership'
down_revision = '0004_supply_settings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('membership_settings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=True),
    sa.Column('spend_window', sa.String(length=16), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('segment_rules', sa.JSON(), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_membership_settings_shop_id_shops'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_settings')),
    sa.UniqueConstraint('shop_id', name=op.f('uq_membership_settings_shop_id'))
    )
    with op.batch_alter_table('membership_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_settings_shop_id'), ['shop_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('tier_since', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pinned_tier', sa.String(length=40), nullable=True),
    sa.Column('below_since', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_review_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('trailing_spend', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('recency_score', sa.SmallInteger(), nullable=True),
    sa.Column('frequency_score', sa.SmallInteger(), nullable=True),
    sa.Column('monetary_score', sa.SmallInteger(), nullable=True),
    sa.Column('segment', sa.String(length=20), nullable=True),
    sa.Column('scored_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_memberships_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('shop_id', 'customer_shopify_id', name=op.f('uq_memberships_shop_id_customer_shopify_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_shop_id'), ['shop_id'], unique=False)

    op.create_table('spend_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('order_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('refund_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('customer_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('occurred_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_spend_entries_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_entries')),
    sa.UniqueConstraint('shop_id', 'kind', 'source_id', name=op.f('uq_spend_entries_shop_id_kind_source_id'))
    )
    with op.batch_alter_table('spend_entries', schema=None) as batch_op:
        batch_op.create_index('ix_spend_entries_shop_customer', ['shop_id', 'customer_shopify_id'], unique=False)
        batch_op.create_index('ix_spend_entries_shop_email', ['shop_id', 'email'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_entries_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_spend_entries_shop_order', ['shop_id', 'order_shopify_id'], unique=False)

    op.create_table('tier_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('from_tier', sa.String(length=40), nullable=True),
    sa.Column('to_tier', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_tier_changes_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_changes'))
    )
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.create_index('ix_tier_changes_shop_customer', ['shop_id', 'customer_shopify_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tier_changes_shop_id'), ['shop_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_changes_shop_id'))
        batch_op.drop_index('ix_tier_changes_shop_customer')

    op.drop_table('tier_changes')
    with op.batch_alter_table('spend_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_spend_entries_shop_order')
        batch_op.drop_index(batch_op.f('ix_spend_entries_shop_id'))
        batch_op.drop_index('ix_spend_entries_shop_email')
        batch_op.drop_index('ix_spend_entries_shop_customer')

    op.drop_table('spend_entries')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_shop_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('membership_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_settings_shop_id'))

    op.drop_table('membership_settings')
