"""Connecting to TikTok: one-time OAuth states, and what a connection was set up with (advertiser,
Business Center, pixel and catalog names and ids, scope, times); the token may be deleted.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tiktok_oauth_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_tiktok_oauth_states_store_id_stores'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tiktok_oauth_states_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiktok_oauth_states')),
    sa.UniqueConstraint('nonce_hash', name=op.f('uq_tiktok_oauth_states_nonce_hash'))
    )
    with op.batch_alter_table('tiktok_connections', schema=None) as batch_op:
        batch_op.alter_column('access_token', existing_type=sa.Text(), nullable=True)
        batch_op.add_column(sa.Column('scope', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('advertiser_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('bc_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('pixel_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pixel_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('catalog_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('authorized_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('tiktok_connections', schema=None) as batch_op:
        batch_op.drop_column('connected_at')
        batch_op.drop_column('authorized_at')
        batch_op.drop_column('catalog_name')
        batch_op.drop_column('pixel_code')
        batch_op.drop_column('pixel_id')
        batch_op.drop_column('bc_name')
        batch_op.drop_column('advertiser_name')
        batch_op.drop_column('scope')
    # A connection without a token cannot go back to a schema that requires one.
    op.execute("DELETE FROM tiktok_connections WHERE access_token IS NULL")
    with op.batch_alter_table('tiktok_connections', schema=None) as batch_op:
        batch_op.alter_column('access_token', existing_type=sa.Text(), nullable=False)
    op.drop_table('tiktok_oauth_states')
