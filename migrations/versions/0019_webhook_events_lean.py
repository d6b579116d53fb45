"""webhook events: two fewer indexes and lz4 bodies, so storing a delivery costs less

The shop-domain index repeated the leading column of the unique (shop_domain, webhook_id) key, and no
query reads the event-id index; every delivery paid for both. Bodies of 3-15 KB are compressed when
stored: lz4 costs a fraction of pglz's CPU for a similar size (PostgreSQL 14 and later; rows already
stored keep their compression).

Revision ID: 0019_webhook_events_lean
Revises: 0018_shop_status_changed_at
Create Date: 2026-11-24 07:20:00
"""

from __future__ import annotations

from alembic import op

revision = '0019_webhook_events_lean'
down_revision = '0018_shop_status_changed_at'
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.drop_index('ix_webhook_events_shop_domain', table_name='webhook_events')
    op.drop_index('ix_webhook_events_event_id', table_name='webhook_events')
    if _postgres() and op.get_bind().dialect.server_version_info >= (14,):
        op.execute("ALTER TABLE webhook_events ALTER COLUMN body SET COMPRESSION lz4")


def downgrade() -> None:
    if _postgres() and op.get_bind().dialect.server_version_info >= (14,):
        op.execute("ALTER TABLE webhook_events ALTER COLUMN body SET COMPRESSION pglz")
    op.create_index('ix_webhook_events_event_id', 'webhook_events', ['event_id'])
    op.create_index('ix_webhook_events_shop_domain', 'webhook_events', ['shop_domain'])
