"""after the handoff: timeline, webhook deliveries, proactive watch, feedback

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_watch',
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('ticket_source', sa.String(length=20), nullable=False),
    sa.Column('ticket_external_id', sa.String(length=100), nullable=False),
    sa.Column('above_threshold', sa.Boolean(), nullable=False),
    sa.Column('last_score', sa.Float(), nullable=False),
    sa.Column('crossings', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('installation_id', 'ticket_source', 'ticket_external_id')
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('system', sa.String(length=20), nullable=False),
    sa.Column('delivery_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('installation_id', 'system', 'delivery_id', name='uq_webhook_delivery')
    )
    op.create_table('assessment_feedback',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('assessment_id', sa.String(length=40), nullable=False),
    sa.Column('rating', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('agent', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_feedback_installation', ['installation_id', 'created_at'], unique=False)

    op.create_table('escalation_events',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('escalation_id', sa.String(length=40), nullable=False),
    sa.Column('installation_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('system', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('escalation_events', schema=None) as batch_op:
        batch_op.create_index('ix_escalation_events_escalation', ['escalation_id', 'at'], unique=False)

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jira_status', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pinged_experts',
                                      sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                                      nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('summary',
                                      sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                                      nullable=True))
        batch_op.add_column(sa.Column('reopened_count', sa.Integer(), nullable=False, server_default="0"))

    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slack_team_id', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_installations_slack_team_id'), ['slack_team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installations_slack_team_id'))
        batch_op.drop_column('slack_team_id')

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('reopened_count')
        batch_op.drop_column('summary')
        batch_op.drop_column('pinged_experts')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('acknowledged_by')
        batch_op.drop_column('resolution')
        batch_op.drop_column('jira_status')

    with op.batch_alter_table('escalation_events', schema=None) as batch_op:
        batch_op.drop_index('ix_escalation_events_escalation')

    op.drop_table('escalation_events')
    with op.batch_alter_table('assessment_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_feedback_installation')

    op.drop_table('assessment_feedback')
    op.drop_table('webhook_deliveries')
    op.drop_table('ticket_watch')
