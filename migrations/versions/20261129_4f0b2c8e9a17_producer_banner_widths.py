"""producer banner widths: the WebP renditions a storefront banner has

Revision ID: 4f0b2c8e9a17
Revises: 7c4e2d9a1f30
Create Date: 2026-11-29 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f0b2c8e9a17'
down_revision = '7c4e2d9a1f30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('banner_widths', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_column('banner_widths')
