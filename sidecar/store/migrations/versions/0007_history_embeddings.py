"""history embeddings: one sentence embedding per history ticket, for similar-incident search

Tickets imported before this migration have none; the next import (or `sidecar history embed`)
embeds them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('history_embeddings',
    sa.Column('history_ticket_id', sa.Integer(), nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('embedded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['history_ticket_id'], ['history_tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('history_ticket_id')
    )
    with op.batch_alter_table('history_embeddings', schema=None) as batch_op:
        batch_op.create_index('ix_history_embeddings_installation', ['installation_id', 'model'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('history_embeddings', schema=None) as batch_op:
        batch_op.drop_index('ix_history_embeddings_installation')

    op.drop_table('history_embeddings')
