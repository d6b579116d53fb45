"""recovery: cases, staged messages with a send-state machine, opt-outs, settings

Revision ID: 0007_recovery
Revises: 0005_membership
Create Date: 2026-11-24 04:31:39.174697
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.base


revision = '0007_recovery'
down_revision = '0005_membership'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recovery_opt_outs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_recovery_opt_outs_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_opt_outs')),
    sa.UniqueConstraint('shop_id', 'email', name=op.f('uq_recovery_opt_outs_shop_id_email'))
    )
    with op.batch_alter_table('recovery_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_opt_outs_shop_id'), ['shop_id'], unique=False)

    op.create_table('recovery_settings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_recovery_settings_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_settings')),
    sa.UniqueConstraint('shop_id', name=op.f('uq_recovery_settings_shop_id'))
    )
    with op.batch_alter_table('recovery_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_settings_shop_id'), ['shop_id'], unique=False)

    op.create_table('recovery_cases',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('checkout_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('customer_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('group', sa.String(length=10), nullable=True),
    sa.Column('abandoned_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('repeat_abandoner', sa.Boolean(), nullable=False),
    sa.Column('high_value', sa.Boolean(), nullable=False),
    sa.Column('converted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('order_shopify_id', sa.BigInteger(), nullable=True),
    sa.Column('revenue', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('attributed_message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('attributed_stage', sa.Integer(), nullable=True),
    sa.Column('attributed_offer', sa.String(length=24), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkouts.id'], name=op.f('fk_recovery_cases_checkout_id_checkouts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_recovery_cases_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_cases')),
    sa.UniqueConstraint('shop_id', 'checkout_id', name=op.f('uq_recovery_cases_shop_id_checkout_id'))
    )
    with op.batch_alter_table('recovery_cases', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_cases_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_cases_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_cases_shop_id'), ['shop_id'], unique=False)

    op.create_table('recovery_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('scheduled_for', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('not_after', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('lease_until', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('offer', sa.String(length=24), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('discount_code', sa.String(length=64), nullable=True),
    sa.Column('discount_gid', sa.String(length=128), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('sent_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('clicked_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['recovery_cases.id'], name=op.f('fk_recovery_messages_case_id_recovery_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_recovery_messages_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_messages')),
    sa.UniqueConstraint('case_id', 'stage', name=op.f('uq_recovery_messages_case_id_stage'))
    )
    with op.batch_alter_table('recovery_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_messages_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_recovery_messages_due', ['state', 'scheduled_for'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_messages_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_messages_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_messages_shop_id'), ['shop_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recovery_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_messages_shop_id'))
        batch_op.drop_index(batch_op.f('ix_recovery_messages_sent_at'))
        batch_op.drop_index(batch_op.f('ix_recovery_messages_email'))
        batch_op.drop_index('ix_recovery_messages_due')
        batch_op.drop_index(batch_op.f('ix_recovery_messages_case_id'))

    op.drop_table('recovery_messages')
    with op.batch_alter_table('recovery_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_cases_shop_id'))
        batch_op.drop_index(batch_op.f('ix_recovery_cases_email'))
        batch_op.drop_index('ix_recovery_cases_due')

    op.drop_table('recovery_cases')
    with op.batch_alter_table('recovery_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_settings_shop_id'))

    op.drop_table('recovery_settings')
    with op.batch_alter_table('recovery_opt_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_opt_outs_shop_id'))

    op.drop_table('recovery_opt_outs')
