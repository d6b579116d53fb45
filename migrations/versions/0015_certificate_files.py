"""certificate files: uploaded passport certificates, stored by the SHA-256 of their bytes

Revision ID: 0015_certificate_files
Revises: 0014_privacy
Create Date: 2026-11-24 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0015_certificate_files'
down_revision = '0014_privacy'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_files',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_certificate_files_shop_id_shops'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_files')),
    sa.UniqueConstraint('shop_id', 'sha256', name=op.f('uq_certificate_files_shop_id_sha256'))
    )
    with op.batch_alter_table('certificate_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_files_shop_id'), ['shop_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('certificate_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_files_shop_id'))
    op.drop_table('certificate_files')
