"""traceability: provenance records (hash chain), signed passport heads, shop signing keys

Revision ID: 0006_traceability
Revises: 0007_recovery
Create Date: 2026-11-25 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0006_traceability'
down_revision = '0007_recovery'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC_TIME = app.models.base.UTCDateTime(timezone=True)


def _shop_column(table: str) -> list:
    return [
        sa.Column('shop_id', BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f(f'fk_{table}_shop_id_shops'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    ]


def upgrade() -> None:
    op.create_table('provenance_records',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('product_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('lot', sa.String(length=64), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('latitude', sa.String(length=16), nullable=True),
    sa.Column('longitude', sa.String(length=16), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('footprint_kg', sa.String(length=20), nullable=True),
    sa.Column('supersedes_seq', sa.Integer(), nullable=True),
    sa.Column('recorded_at', UTC_TIME, nullable=False),
    sa.Column('content_digest', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    *_shop_column('provenance_records'),
    sa.UniqueConstraint('shop_id', 'product_shopify_id', 'seq',
                        name=op.f('uq_provenance_records_shop_id_product_shopify_id_seq')),
    sa.UniqueConstraint('shop_id', 'product_shopify_id', 'content_digest',
                        name=op.f('uq_provenance_records_shop_id_product_shopify_id_content_digest')),
    )
    op.create_table('passport_heads',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('product_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('jws', sa.Text(), nullable=False),
    sa.Column('signed_at', UTC_TIME, nullable=False),
    *_shop_column('passport_heads'),
    sa.UniqueConstraint('shop_id', 'product_shopify_id', name=op.f('uq_passport_heads_shop_id_product_shopify_id')),
    )
    op.create_table('signing_keys',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_key_enc', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('created_at', UTC_TIME, nullable=False),
    sa.Column('retired_at', UTC_TIME, nullable=True),
    *_shop_column('signing_keys'),
    sa.UniqueConstraint('shop_id', 'kid', name=op.f('uq_signing_keys_shop_id_kid')),
    )
    for table in ('provenance_records', 'passport_heads', 'signing_keys'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_shop_id'), ['shop_id'], unique=False)


def downgrade() -> None:
    for table in ('signing_keys', 'passport_heads', 'provenance_records'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_shop_id'))
        op.drop_table(table)
