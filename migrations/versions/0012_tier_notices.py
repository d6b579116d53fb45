"""tier notices: the outbox of emails before and after a membership downgrade

Revision ID: 0012_tier_notices
Revises: 0011_recovery_gaps
Create Date: 2026-11-24 05:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0012_tier_notices'
down_revision = '0011_recovery_gaps'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tier_notices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('customer_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('from_tier', sa.String(length=40), nullable=False),
    sa.Column('to_tier', sa.String(length=40), nullable=False),
    sa.Column('due_on', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=255), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_tier_notices_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_notices')),
    sa.UniqueConstraint('shop_id', 'key', name=op.f('uq_tier_notices_shop_id_key'))
    )
    with op.batch_alter_table('tier_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_notices_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_tier_notices_state', ['state', 'shop_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tier_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_notices_state')
        batch_op.drop_index(batch_op.f('ix_tier_notices_shop_id'))
    op.drop_table('tier_notices')
