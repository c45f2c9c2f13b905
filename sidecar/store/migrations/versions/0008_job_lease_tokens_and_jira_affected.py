"""job lease tokens and the affected-customers record of joined Jira issues

A claimed job carries a fresh lease token; a worker's result counts only while the job still carries
it. Jobs running during the upgrade have none: their settle is refused and they are taken again
when their lease runs out, like any lapsed lease.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_token', sa.String(length=40), nullable=True))
    op.create_table('jira_affected',
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('jira_key', sa.String(length=60), nullable=False),
    sa.Column('record', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('installation_id', 'jira_key')
    )


def downgrade() -> None:
    op.drop_table('jira_affected')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('lease_token')
