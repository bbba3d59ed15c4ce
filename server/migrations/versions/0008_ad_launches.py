"""Ads: product sets kept in step with TikTok, and the catalog campaigns made from the admin.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ad_product_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('tiktok_set_id', sa.String(length=64), nullable=True),
    sa.Column('tiktok_count', sa.Integer(), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_ad_product_sets_store_id_stores'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_product_sets')),
    sa.UniqueConstraint('store_id', 'name', name=op.f('uq_ad_product_sets_store_id'))
    )
    op.create_table('ad_launches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('product_set_id', sa.String(length=64), nullable=True),
    sa.Column('product_set_name', sa.String(length=64), nullable=True),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('daily_budget', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('identity_id', sa.String(length=64), nullable=True),
    sa.Column('campaign_id', sa.String(length=64), nullable=True),
    sa.Column('adgroup_id', sa.String(length=64), nullable=True),
    sa.Column('ad_id', sa.String(length=64), nullable=True),
    sa.Column('failed_step', sa.String(length=20), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('cleanup', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('launched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_ad_launches_store_id_stores'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_launches'))
    )
    op.create_index('ix_ad_launches_store_id_created_at', 'ad_launches', ['store_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_ad_launches_store_id_created_at', table_name='ad_launches')
    op.drop_table('ad_launches')
    op.drop_table('ad_product_sets')
