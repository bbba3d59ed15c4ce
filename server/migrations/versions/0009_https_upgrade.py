"""Stores: whether the catalog tries the https:// form of a feed's http:// links and images.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stores') as batch:
        batch.add_column(sa.Column('https_upgrade', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('stores') as batch:
        batch.drop_column('https_upgrade')
