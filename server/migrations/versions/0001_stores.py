"""Stores with their pixel settings and TikTok connection state.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.String(length=43), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('pixel_code', sa.String(length=64), nullable=True),
    sa.Column('pixel_enabled', sa.Boolean(), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('order_event', sa.String(length=20), nullable=False),
    sa.Column('consent_mode', sa.String(length=10), nullable=False),
    sa.Column('advanced_matching', sa.Boolean(), nullable=False),
    sa.Column('tiktok_state', sa.String(length=20), nullable=False),
    sa.Column('tiktok_state_reason', sa.String(length=500), nullable=True),
    sa.Column('tiktok_state_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stores')),
    sa.UniqueConstraint('public_key', name=op.f('uq_stores_public_key'))
    )


def downgrade():
    op.drop_table('stores')
