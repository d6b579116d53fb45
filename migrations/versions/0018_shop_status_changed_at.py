"""shops: when the status last changed (e.g. since when Shopify has refused the refresh token)

Revision ID: 0018_shop_status_changed_at
Revises: 0017_field_encryption
Create Date: 2026-11-24 08:00:00

The re-authorisation banner tells the merchant since when syncing has been paused; `updated_at` moves with
every token refresh, so it cannot say that.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018_shop_status_changed_at'
down_revision = '0017_field_encryption'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('shops', sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('shops', 'status_changed_at')
