"""Server events: each store's settings for them, the collector's buffer, and the events (the event log).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('server_events', sa.Boolean(), nullable=False),
    sa.Column('test_mode', sa.Boolean(), nullable=False),
    sa.Column('test_event_code', sa.String(length=64), nullable=True),
    sa.Column('limited_data_use', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_event_settings_store_id_stores'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_settings')),
    sa.UniqueConstraint('store_id', name=op.f('uq_event_settings_store_id'))
    )
    op.create_table('event_batches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_event_batches_store_id_stores'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_batches'))
    )
    with op.batch_alter_table('event_batches', schema=None) as batch_op:
        batch_op.create_index('ix_event_batches_store_id', ['store_id', 'id'], unique=False)
    op.create_table('server_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('from_browser', sa.Boolean(), nullable=False),
    sa.Column('from_server', sa.Boolean(), nullable=False),
    sa.Column('test', sa.Boolean(), nullable=False),
    sa.Column('consented', sa.Boolean(), nullable=False),
    sa.Column('limited_data_use', sa.Boolean(), nullable=False),
    sa.Column('event_time', sa.Integer(), nullable=False),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('user', sa.JSON(), nullable=True),
    sa.Column('properties', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('tiktok_code', sa.Integer(), nullable=True),
    sa.Column('tiktok_request_id', sa.String(length=64), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_server_events_store_id_stores'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server_events')),
    sa.UniqueConstraint('store_id', 'event', 'event_id', name='uq_server_events_store_event_event_id')
    )
    with op.batch_alter_table('server_events', schema=None) as batch_op:
        batch_op.create_index('ix_server_events_store_status', ['store_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_server_events_store_id', ['store_id', 'id'], unique=False)
        batch_op.create_index('ix_server_events_store_updated', ['store_id', 'updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('server_events', schema=None) as batch_op:
        batch_op.drop_index('ix_server_events_store_updated')
        batch_op.drop_index('ix_server_events_store_id')
        batch_op.drop_index('ix_server_events_store_status')
    op.drop_table('server_events')
    with op.batch_alter_table('event_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_event_batches_store_id')
    op.drop_table('event_batches')
    op.drop_table('event_settings')
