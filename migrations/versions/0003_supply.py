"""supply: warehouse profiles, lanes, incoming stock, reservations, fulfillments, transit samples, order promises, routing decisions

Revision ID: 0003_supply
Revises: 0002_data_exports
Create Date: 2026-11-24 03:04:11.079413
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base


revision = '0003_supply'
down_revision = '0002_data_exports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fulfillments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('order_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('shipment_status', sa.String(length=32), nullable=True),
    sa.Column('tracking_company', sa.String(length=128), nullable=True),
    sa.Column('shipped_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shopify_updated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_fulfillments_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfillments')),
    sa.UniqueConstraint('shop_id', 'shopify_id', name=op.f('uq_fulfillments_shop_id_shopify_id'))
    )
    with op.batch_alter_table('fulfillments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfillments_order_shopify_id'), ['order_shopify_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fulfillments_shop_id'), ['shop_id'], unique=False)

    op.create_table('incoming_stock',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('variant_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_incoming_stock_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_stock'))
    )
    with op.batch_alter_table('incoming_stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incoming_stock_location_shopify_id'), ['location_shopify_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incoming_stock_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incoming_stock_variant_shopify_id'), ['variant_shopify_id'], unique=False)

    op.create_table('order_promises',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('region', sa.String(length=8), nullable=True),
    sa.Column('service_level', sa.String(length=16), nullable=True),
    sa.Column('tier', sa.String(length=32), nullable=True),
    sa.Column('promised_earliest', sa.Date(), nullable=True),
    sa.Column('promised_latest', sa.Date(), nullable=True),
    sa.Column('first_fulfilled_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('days_late', sa.Integer(), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_order_promises_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_promises')),
    sa.UniqueConstraint('shop_id', 'order_shopify_id', name=op.f('uq_order_promises_shop_id_order_shopify_id'))
    )
    with op.batch_alter_table('order_promises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_promises_shop_id'), ['shop_id'], unique=False)

    op.create_table('routing_decisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('from_location_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('to_location_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('promised_earliest', sa.Date(), nullable=True),
    sa.Column('promised_latest', sa.Date(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_routing_decisions_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_decisions'))
    )
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_decisions_order_shopify_id'), ['order_shopify_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_routing_decisions_shop_id'), ['shop_id'], unique=False)

    op.create_table('shipping_lanes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=8), nullable=True),
    sa.Column('service_level', sa.String(length=16), nullable=False),
    sa.Column('min_days', sa.Integer(), nullable=False),
    sa.Column('max_days', sa.Integer(), nullable=False),
    sa.Column('price', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shipping_lanes_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_lanes')),
    sa.UniqueConstraint('shop_id', 'location_shopify_id', 'country', 'region', 'service_level', name=op.f('uq_shipping_lanes_shop_id_location_shopify_id_country_region_service_level'))
    )
    with op.batch_alter_table('shipping_lanes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipping_lanes_shop_id'), ['shop_id'], unique=False)

    op.create_table('stock_reservations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('variant_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=False),
    sa.Column('expires_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_stock_reservations_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_reservations')),
    sa.UniqueConstraint('shop_id', 'reference', 'variant_shopify_id', 'location_shopify_id', name=op.f('uq_stock_reservations_shop_id_reference_variant_shopify_id_location_shopify_id'))
    )
    with op.batch_alter_table('stock_reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_reservations_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_reservations_variant_shopify_id'), ['variant_shopify_id'], unique=False)

    op.create_table('transit_samples',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fulfillment_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=8), nullable=True),
    sa.Column('service_level', sa.String(length=16), nullable=False),
    sa.Column('business_days', sa.Integer(), nullable=False),
    sa.Column('shipped_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_transit_samples_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transit_samples')),
    sa.UniqueConstraint('shop_id', 'fulfillment_shopify_id', name=op.f('uq_transit_samples_shop_id_fulfillment_shopify_id'))
    )
    with op.batch_alter_table('transit_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transit_samples_location_shopify_id'), ['location_shopify_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transit_samples_shop_id'), ['shop_id'], unique=False)

    op.create_table('warehouse_profiles',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('public_name', sa.String(length=255), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('handling_days', sa.Integer(), nullable=False),
    sa.Column('handling_hours', sa.Integer(), nullable=False),
    sa.Column('tier_handling', sa.JSON(), nullable=False),
    sa.Column('cutoff', sa.String(length=5), nullable=False),
    sa.Column('working_weekdays', sa.JSON(), nullable=False),
    sa.Column('holiday_country', sa.String(length=2), nullable=True),
    sa.Column('holiday_subdivision', sa.String(length=8), nullable=True),
    sa.Column('safety_stock', sa.Integer(), nullable=False),
    sa.Column('ships_cross_border', sa.Boolean(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_warehouse_profiles_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouse_profiles')),
    sa.UniqueConstraint('shop_id', 'location_shopify_id', name=op.f('uq_warehouse_profiles_shop_id_location_shopify_id'))
    )
    with op.batch_alter_table('warehouse_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warehouse_profiles_shop_id'), ['shop_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('warehouse_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warehouse_profiles_shop_id'))

    op.drop_table('warehouse_profiles')
    with op.batch_alter_table('transit_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transit_samples_shop_id'))
        batch_op.drop_index(batch_op.f('ix_transit_samples_location_shopify_id'))

    op.drop_table('transit_samples')
    with op.batch_alter_table('stock_reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_reservations_variant_shopify_id'))
        batch_op.drop_index(batch_op.f('ix_stock_reservations_shop_id'))

    op.drop_table('stock_reservations')
    with op.batch_alter_table('shipping_lanes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipping_lanes_shop_id'))

    op.drop_table('shipping_lanes')
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_decisions_shop_id'))
        batch_op.drop_index(batch_op.f('ix_routing_decisions_order_shopify_id'))

    op.drop_table('routing_decisions')
    with op.batch_alter_table('order_promises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_promises_shop_id'))

    op.drop_table('order_promises')
    with op.batch_alter_table('incoming_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incoming_stock_variant_shopify_id'))
        batch_op.drop_index(batch_op.f('ix_incoming_stock_shop_id'))
        batch_op.drop_index(batch_op.f('ix_incoming_stock_location_shopify_id'))

    op.drop_table('incoming_stock')
    with op.batch_alter_table('fulfillments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfillments_shop_id'))
        batch_op.drop_index(batch_op.f('ix_fulfillments_order_shopify_id'))

    op.drop_table('fulfillments')
