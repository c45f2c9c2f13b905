"""credential scopes: scoped API tokens, shared-secret rotation, who escalated

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_installation_id'), ['installation_id'], unique=False)

    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_shared_secret_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('previous_shared_secret_expires_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_by',
                                      sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('escalated_by')

    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.drop_column('previous_shared_secret_expires_at')
        batch_op.drop_column('previous_shared_secret_encrypted')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_installation_id'))

    op.drop_table('api_tokens')
