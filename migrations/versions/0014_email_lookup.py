"""customers: an index on (shop, lower(email)), for guest orders joining the customer with that email

Revision ID: 0014_email_lookup
Revises: 0013_segment_changes
Create Date: 2026-11-24 05:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014_email_lookup'
down_revision = '0013_segment_changes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_customers_shop_email_lower', 'customers', ['shop_id', sa.text('lower(email)')])


def downgrade() -> None:
    op.drop_index('ix_customers_shop_email_lower', table_name='customers')
