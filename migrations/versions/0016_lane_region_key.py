"""shipping lanes: one lane per key even without a region (a NULL region is distinct in a plain unique key)

Revision ID: 0016_lane_region_key
Revises: 0015_certificate_files
Create Date: 2026-11-24 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016_lane_region_key'
down_revision = '0015_certificate_files'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('uq_shipping_lanes_key', 'shipping_lanes',
                    ['shop_id', 'location_shopify_id', 'country', sa.text("coalesce(region, '')"), 'service_level'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('uq_shipping_lanes_key', table_name='shipping_lanes')
