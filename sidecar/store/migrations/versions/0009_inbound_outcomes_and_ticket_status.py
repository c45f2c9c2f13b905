"""inbound outcomes and the ticket's status: what became of each webhook delivery, and whether the ticket is solved

webhook_deliveries gains status (queued, acted, ignored; `unknown` for deliveries accepted before this
migration), the reason an ignored one was not acted on, what it was about and when it was handled, so
an admin can list what was not acted on. escalations gains ticket_status: updates that arrive after the
Jira issue is resolved still reach the ticket until it is solved or closed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='unknown'))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('about', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_webhook_deliveries_status', ['installation_id', 'status', 'id'], unique=False)
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_status', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('ticket_status')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_status')
        batch_op.drop_column('handled_at')
        batch_op.drop_column('about')
        batch_op.drop_column('reason')
        batch_op.drop_column('status')
