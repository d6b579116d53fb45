"""segment changes: customers moving between RFM segments, for the monthly migration numbers

Revision ID: 0013_segment_changes
Revises: 0012_tier_notices
Create Date: 2026-11-24 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0013_segment_changes'
down_revision = '0012_tier_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('segment_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('from_segment', sa.String(length=20), nullable=True),
    sa.Column('to_segment', sa.String(length=20), nullable=True),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_segment_changes_shop_id_shops'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_changes'))
    )
    with op.batch_alter_table('segment_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_changes_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_segment_changes_shop_at', ['shop_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('segment_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_segment_changes_shop_at')
        batch_op.drop_index(batch_op.f('ix_segment_changes_shop_id'))
    op.drop_table('segment_changes')
