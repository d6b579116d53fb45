"""dashboard read models: daily recovery, members, tier moves, orders, promises, handling and stock per shop

Revision ID: 0010_dashboard
Revises: 0009_membership_perks
Create Date: 2026-11-24 05:02:46.178513
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base


revision = '0010_dashboard'
down_revision = '0009_membership_perks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('daily_handling',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('met', sa.Integer(), nullable=False),
    sa.Column('missed', sa.Integer(), nullable=False),
    sa.Column('open', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_handling_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_handling'))
    )
    with op.batch_alter_table('daily_handling', schema=None) as batch_op:
        batch_op.create_index('ix_daily_handling_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_handling_shop_id'), ['shop_id'], unique=False)

    op.create_table('daily_members',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('segment', sa.String(length=20), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('spend', sa.Numeric(precision=24, scale=4), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_members_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_members'))
    )
    with op.batch_alter_table('daily_members', schema=None) as batch_op:
        batch_op.create_index('ix_daily_members_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_members_shop_id'), ['shop_id'], unique=False)

    op.create_table('daily_orders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('repeat_orders', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=24, scale=4), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_orders_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_orders'))
    )
    with op.batch_alter_table('daily_orders', schema=None) as batch_op:
        batch_op.create_index('ix_daily_orders_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_orders_shop_id'), ['shop_id'], unique=False)

    op.create_table('daily_promises',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=8), nullable=False),
    sa.Column('service_level', sa.String(length=16), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('days_late_sum', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_promises_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_promises'))
    )
    with op.batch_alter_table('daily_promises', schema=None) as batch_op:
        batch_op.create_index('ix_daily_promises_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_promises_shop_id'), ['shop_id'], unique=False)

    op.create_table('daily_recovery',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('grp', sa.String(length=10), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('reached', sa.Integer(), nullable=False),
    sa.Column('converted', sa.Integer(), nullable=False),
    sa.Column('reached_converted', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=24, scale=4), nullable=False),
    sa.Column('revenue_sq', sa.Numeric(precision=24, scale=4), nullable=False),
    sa.Column('recovered_revenue', sa.Numeric(precision=24, scale=4), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_recovery_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_recovery'))
    )
    with op.batch_alter_table('daily_recovery', schema=None) as batch_op:
        batch_op.create_index('ix_daily_recovery_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_recovery_shop_id'), ['shop_id'], unique=False)

    op.create_table('daily_recovery_offers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('offer', sa.String(length=24), nullable=False),
    sa.Column('conversions', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=24, scale=4), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_recovery_offers_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_recovery_offers'))
    )
    with op.batch_alter_table('daily_recovery_offers', schema=None) as batch_op:
        batch_op.create_index('ix_daily_recovery_offers_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_recovery_offers_shop_id'), ['shop_id'], unique=False)

    op.create_table('daily_stock',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('location_shopify_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('stockouts', sa.Integer(), nullable=False),
    sa.Column('oversells', sa.Integer(), nullable=False),
    sa.Column('units_available', sa.Integer(), nullable=False),
    sa.Column('units_sold', sa.Integer(), nullable=False),
    sa.Column('days_of_cover', sa.Float(), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_stock_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_stock'))
    )
    with op.batch_alter_table('daily_stock', schema=None) as batch_op:
        batch_op.create_index('ix_daily_stock_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_stock_shop_id'), ['shop_id'], unique=False)

    op.create_table('daily_tier_moves',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('from_tier', sa.String(length=40), nullable=False),
    sa.Column('to_tier', sa.String(length=40), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_daily_tier_moves_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_tier_moves'))
    )
    with op.batch_alter_table('daily_tier_moves', schema=None) as batch_op:
        batch_op.create_index('ix_daily_tier_moves_shop_day', ['shop_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_tier_moves_shop_id'), ['shop_id'], unique=False)

    op.create_table('dashboard_state',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('built_from', sa.Date(), nullable=False),
    sa.Column('refreshed_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_dashboard_state_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_state')),
    sa.UniqueConstraint('shop_id', name=op.f('uq_dashboard_state_shop_id'))
    )
    with op.batch_alter_table('dashboard_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_state_shop_id'), ['shop_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('dashboard_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_state_shop_id'))

    op.drop_table('dashboard_state')
    with op.batch_alter_table('daily_tier_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_tier_moves_shop_id'))
        batch_op.drop_index('ix_daily_tier_moves_shop_day')

    op.drop_table('daily_tier_moves')
    with op.batch_alter_table('daily_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_stock_shop_id'))
        batch_op.drop_index('ix_daily_stock_shop_day')

    op.drop_table('daily_stock')
    with op.batch_alter_table('daily_recovery_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_recovery_offers_shop_id'))
        batch_op.drop_index('ix_daily_recovery_offers_shop_day')

    op.drop_table('daily_recovery_offers')
    with op.batch_alter_table('daily_recovery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_recovery_shop_id'))
        batch_op.drop_index('ix_daily_recovery_shop_day')

    op.drop_table('daily_recovery')
    with op.batch_alter_table('daily_promises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_promises_shop_id'))
        batch_op.drop_index('ix_daily_promises_shop_day')

    op.drop_table('daily_promises')
    with op.batch_alter_table('daily_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_orders_shop_id'))
        batch_op.drop_index('ix_daily_orders_shop_day')

    op.drop_table('daily_orders')
    with op.batch_alter_table('daily_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_members_shop_id'))
        batch_op.drop_index('ix_daily_members_shop_day')

    op.drop_table('daily_members')
    with op.batch_alter_table('daily_handling', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_handling_shop_id'))
        batch_op.drop_index('ix_daily_handling_shop_day')

    op.drop_table('daily_handling')
    
