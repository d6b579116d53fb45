"""membership perks: Shopify write-back state, perk settings, created Shopify objects, backfill progress

Revision ID: 0009_membership_perks
Revises: 0006_traceability
Create Date: 2026-11-24 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0009_membership_perks'
down_revision = '0006_traceability'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('writeback_due', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('written_tier', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('written_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('writeback_error', sa.String(length=255), nullable=True))
        batch_op.create_index('ix_memberships_writeback_due', ['shop_id'], unique=False,
                              postgresql_where=sa.text('writeback_due'), sqlite_where=sa.text('writeback_due'))
    with op.batch_alter_table('membership_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('perks', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('shopify_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('shopify_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('backfill', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('membership_settings', schema=None) as batch_op:
        for column in ('backfill', 'shopify_digest', 'shopify_ids', 'perks'):
            batch_op.drop_column(column)
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_writeback_due', postgresql_where=sa.text('writeback_due'),
                            sqlite_where=sa.text('writeback_due'))
        for column in ('writeback_error', 'written_at', 'written_tier', 'writeback_due'):
            batch_op.drop_column(column)
