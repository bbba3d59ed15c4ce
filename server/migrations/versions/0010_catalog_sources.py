"""Catalog sources: a feed URL, a VTEX account or an Ecwid store per store, pulled on a schedule.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalog_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('credentials', sa.Text(), nullable=True),
    sa.Column('notify_secret', sa.Text(), nullable=True),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('state_reason', sa.String(length=1000), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('cursor', sa.String(length=100), nullable=True),
    sa.Column('last_pull_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_summary', sa.JSON(), nullable=True),
    sa.Column('next_pull_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_delta_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_catalog_sources_store_id_stores'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_sources')),
    sa.UniqueConstraint('store_id', name=op.f('uq_catalog_sources_store_id'))
    )
    op.create_index(op.f('ix_catalog_sources_next_pull_at'), 'catalog_sources', ['next_pull_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_catalog_sources_next_pull_at'), table_name='catalog_sources')
    op.drop_table('catalog_sources')
