"""Catalog sync: products, categories, sync runs and batches, image checks, webhook receipts,
TikTok connections, and the durable job table.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalog_image_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url_hash', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('image_format', sa.String(length=10), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('etag', sa.String(length=200), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_image_checks')),
    sa.UniqueConstraint('url_hash', name=op.f('uq_catalog_image_checks_url_hash'))
    )
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=120), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_key_status', ['key', 'status'], unique=False)
        batch_op.create_index('ix_jobs_status_run_after', ['status', 'run_after'], unique=False)
        batch_op.create_index('uq_jobs_running_key', ['key'], unique=True,
                              sqlite_where=sa.text("status = 'running'"),
                              postgresql_where=sa.text("status = 'running'"))

    op.create_table('catalog_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('parent_id', sa.String(length=255), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_catalog_categories_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_categories')),
    sa.UniqueConstraint('store_id', 'category_id', name=op.f('uq_catalog_categories_store_id'))
    )
    op.create_table('catalog_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=255), nullable=False),
    sa.Column('item_group_id', sa.String(length=255), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('category_ids', sa.JSON(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('image_url', sa.Text(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('source_hash', sa.String(length=32), nullable=False),
    sa.Column('payload_hash', sa.String(length=32), nullable=True),
    sa.Column('synced_hash', sa.String(length=32), nullable=True),
    sa.Column('refused_hash', sa.String(length=32), nullable=True),
    sa.Column('force_sync', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_status', sa.String(length=20), nullable=True),
    sa.Column('review_reasons', sa.JSON(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('import_mark', sa.Integer(), nullable=False),
    sa.Column('seen_mark', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_catalog_products_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_products')),
    sa.UniqueConstraint('store_id', 'sku', name=op.f('uq_catalog_products_store_id'))
    )
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.create_index('ix_catalog_products_store_id_state', ['store_id', 'state'], unique=False)

    op.create_table('catalog_sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('force', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_catalog_sync_runs_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_sync_runs'))
    )
    with op.batch_alter_table('catalog_sync_runs', schema=None) as batch_op:
        batch_op.create_index('ix_catalog_sync_runs_store_id_status', ['store_id', 'status'], unique=False)

    op.create_table('catalog_webhook_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('signature_hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_catalog_webhook_receipts_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_webhook_receipts')),
    sa.UniqueConstraint('signature_hash', name=op.f('uq_catalog_webhook_receipts_signature_hash'))
    )
    with op.batch_alter_table('catalog_webhook_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_webhook_receipts_received_at'), ['received_at'], unique=False)

    op.create_table('store_catalogs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('webhook_secret', sa.Text(), nullable=True),
    sa.Column('webhook_secret_set_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reconcile_slot', sa.Integer(), nullable=False),
    sa.Column('mark_counter', sa.Integer(), nullable=False),
    sa.Column('last_reconciled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_store_catalogs_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_catalogs')),
    sa.UniqueConstraint('store_id', name=op.f('uq_store_catalogs_store_id'))
    )
    op.create_table('tiktok_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('advertiser_id', sa.String(length=64), nullable=True),
    sa.Column('bc_id', sa.String(length=64), nullable=True),
    sa.Column('catalog_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_tiktok_connections_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiktok_connections')),
    sa.UniqueConstraint('store_id', name=op.f('uq_tiktok_connections_store_id'))
    )
    op.create_table('catalog_sync_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('skus', sa.JSON(), nullable=False),
    sa.Column('sent_hashes', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('feed_log_id', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['catalog_sync_runs.id'],
                            name=op.f('fk_catalog_sync_batches_run_id_catalog_sync_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_catalog_sync_batches_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_sync_batches'))
    )
    with op.batch_alter_table('catalog_sync_batches', schema=None) as batch_op:
        batch_op.create_index('ix_catalog_sync_batches_store_id_status', ['store_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('catalog_sync_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_sync_batches_store_id_status')

    op.drop_table('catalog_sync_batches')
    op.drop_table('tiktok_connections')
    op.drop_table('store_catalogs')
    with op.batch_alter_table('catalog_webhook_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_webhook_receipts_received_at'))

    op.drop_table('catalog_webhook_receipts')
    with op.batch_alter_table('catalog_sync_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_sync_runs_store_id_status')

    op.drop_table('catalog_sync_runs')
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_products_store_id_state')

    op.drop_table('catalog_products')
    op.drop_table('catalog_categories')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_jobs_running_key', sqlite_where=sa.text("status = 'running'"),
                            postgresql_where=sa.text("status = 'running'"))
        batch_op.drop_index('ix_jobs_status_run_after')
        batch_op.drop_index('ix_jobs_key_status')

    op.drop_table('jobs')
    op.drop_table('catalog_image_checks')
