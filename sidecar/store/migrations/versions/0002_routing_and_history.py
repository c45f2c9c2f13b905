"""Teams, experts, routing rules, ticket history, learned models and import cursors.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 01:37:35.655613
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('history_tickets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=True),
    sa.Column('assignee', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('priority', sa.String(length=40), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('escalated', sa.Boolean(), nullable=True),
    sa.Column('needs_human', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('installation_id', 'source', 'external_id', name='uq_history_ticket')
    )
    with op.batch_alter_table('history_tickets', schema=None) as batch_op:
        batch_op.create_index('ix_history_created', ['installation_id', 'created_at'], unique=False)

    op.create_table('import_cursors',
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('cursor', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('installation_id', 'source')
    )
    op.create_table('learned_models',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=80), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('metrics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('learned_models', schema=None) as batch_op:
        batch_op.create_index('ix_learned_models_kind', ['installation_id', 'kind', 'created_at'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('slack_channel', sa.String(length=80), nullable=True),
    sa.Column('jira_project', sa.String(length=40), nullable=True),
    sa.Column('jira_component', sa.String(length=120), nullable=True),
    sa.Column('categories', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('history_groups', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('installation_id', 'name', name='uq_teams_name')
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_installation_id'), ['installation_id'], unique=False)

    op.create_table('experts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('slack_user_id', sa.String(length=40), nullable=True),
    sa.Column('jira_account_id', sa.String(length=128), nullable=True),
    sa.Column('categories', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('working_hours', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('out_of_office', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('aliases', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('installation_id', 'email', name='uq_experts_email')
    )
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experts_installation_id'), ['installation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_experts_team_id'), ['team_id'], unique=False)

    op.create_table('routing_rules',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('conditions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_rules_installation_id'), ['installation_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_rules_installation_id'))

    op.drop_table('routing_rules')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experts_team_id'))
        batch_op.drop_index(batch_op.f('ix_experts_installation_id'))

    op.drop_table('experts')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_installation_id'))

    op.drop_table('teams')
    with op.batch_alter_table('learned_models', schema=None) as batch_op:
        batch_op.drop_index('ix_learned_models_kind')

    op.drop_table('learned_models')
    op.drop_table('import_cursors')
    with op.batch_alter_table('history_tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_history_created')

    op.drop_table('history_tickets')

