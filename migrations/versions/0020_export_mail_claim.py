"""data_exports: the mail's claim (token, lease) and when it was handed to the mail server

Revision ID: 0020_export_mail_claim
Revises: 0019_webhook_events_lean
Create Date: 2026-11-24 09:00:00

A worker killed between the mail server taking an export and `emailed_at` being recorded made the retried
job send it again. The claim keeps two runs from sending at once; the hand-over time tells a later run
that an earlier one got as far as the server, so it does not send a second copy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020_export_mail_claim'
down_revision = '0019_webhook_events_lean'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('data_exports', sa.Column('mail_claim', sa.String(length=16), nullable=True))
    op.add_column('data_exports', sa.Column('mail_lease_until', sa.DateTime(timezone=True), nullable=True))
    op.add_column('data_exports', sa.Column('mail_handed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('data_exports', 'mail_handed_at')
    op.drop_column('data_exports', 'mail_lease_until')
    op.drop_column('data_exports', 'mail_claim')
