"""webhook events: a partial index of the processed deliveries whose body is still stored

The five-minute body sweep (app/privacy/bodies.py) looks for done or ignored events with a body. Through
the (status, received_at) index it walked every processed event ever kept, most of them already emptied;
this index holds only the ones still to empty, so a sweep reads what it clears and nothing else.

Revision ID: 0021_bodies_to_clear
Revises: 0020_export_mail_claim
Create Date: 2026-11-24 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021_bodies_to_clear'
down_revision = '0020_export_mail_claim'
branch_labels = None
depends_on = None

PREDICATE = sa.text("status IN ('done', 'ignored') AND length(body) > 0")


def upgrade() -> None:
    op.create_index('ix_webhook_events_bodies_to_clear', 'webhook_events', ['received_at'],
                    postgresql_where=PREDICATE, sqlite_where=PREDICATE)


def downgrade() -> None:
    op.drop_index('ix_webhook_events_bodies_to_clear', table_name='webhook_events')
