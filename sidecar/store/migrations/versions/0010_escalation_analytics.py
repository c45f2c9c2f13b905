"""escalation analytics: what GET /v1/analytics counts, in plain columns the SQL can group and sort

escalations gains its primary category, the team's name, the expert the route suggested and the expert
it was sent to when made, and the seconds to acknowledge and to resolve (set by the lifecycle), so the
analytics queries group, sort and take percentiles without JSON functions or date arithmetic (which
SQLite and PostgreSQL spell differently). The indexes are the ones services/analytics.py plans its
statements around (see the models): a range counted from an index alone, one seek per status,
category, team, level and recommendation, percentiles walked in value order, and a partial index of
the few jobs that are dead or ran more than once.

Existing escalations are filled in from their JSON columns, in batches. The derivation is written out
here (not imported) so that this migration keeps meaning what it meant when the code changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BATCH = 1000
JOB_FAILED_ONCE = "status = 'dead' OR attempts > 1"  # dead, or ran more than once
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_ESCALATIONS = sa.table(
    'escalations',
    sa.column('id', sa.String), sa.column('context', _JSON), sa.column('team', _JSON), sa.column('expert', _JSON),
    sa.column('created_at', sa.DateTime(timezone=True)), sa.column('acknowledged_at', sa.DateTime(timezone=True)),
    sa.column('resolved_at', sa.DateTime(timezone=True)), sa.column('status', sa.String),
    sa.column('category', sa.String), sa.column('team_name', sa.String),
    sa.column('suggested_expert_id', sa.String), sa.column('chosen_expert_id', sa.String),
    sa.column('ack_seconds', sa.Float), sa.column('resolve_seconds', sa.Float),
)


def upgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('team_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('suggested_expert_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('chosen_expert_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('ack_seconds', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('resolve_seconds', sa.Float(), nullable=True))
    _backfill(op.get_bind())  # before the indexes: they are built once, over the filled columns
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index('ix_escalations_created', ['installation_id', 'created_at', 'status',
                                                         'suggested_expert_id', 'chosen_expert_id', 'ack_seconds',
                                                         'resolve_seconds'], unique=False)
        for name, column in (('status', 'status'), ('category', 'category'), ('team', 'team_name'),
                             ('ack', 'ack_seconds'), ('resolve', 'resolve_seconds')):
            batch_op.create_index(f'ix_escalations_{name}', ['installation_id', column, 'created_at'], unique=False)
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('ix_assessments_level', ['installation_id', 'level', 'recommendation', 'created_at'],
                              unique=False)
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_failed', ['installation_id', 'created_at', 'status'], unique=False,
                              sqlite_where=sa.text(JOB_FAILED_ONCE), postgresql_where=sa.text(JOB_FAILED_ONCE))


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    # SQLite hands stored times back without their offset; all are stored as UTC.
    start, end = (t if t.tzinfo else t.replace(tzinfo=UTC) for t in (start, end))
    return round((end - start).total_seconds(), 3)


def _text(value: Any, length: int) -> str | None:
    return str(value)[:length] if value not in (None, "") else None


def _facts(row: Any) -> dict[str, Any]:
    """The analytics columns of one stored escalation, from its JSON (as services.escalations sets them)."""
    context = row.context if isinstance(row.context, dict) else {}
    categories = (context.get('assessment') or {}).get('categories') or []
    route_expert = (context.get('route') or {}).get('expert') or {}
    facts = {
        'category': _text(categories[0].get('name') if isinstance(categories[0], dict) else None, 40)
        if categories else None,
        'team_name': _text((row.team or {}).get('name'), 120),
        'suggested_expert_id': _text(route_expert.get('id') if isinstance(route_expert, dict) else None, 40),
        'chosen_expert_id': _text((row.expert or {}).get('id'), 40),
        'ack_seconds': _seconds(row.created_at, row.acknowledged_at),
        'resolve_seconds': _seconds(row.created_at, row.resolved_at) if row.status == 'resolved' else None,
    }
    return {'b_id': row.id, **{'v_' + name: value for name, value in facts.items()}}


def _backfill(bind: Any) -> None:
    """Fill the new columns of existing escalations, BATCH rows at a time in id order."""
    table = _ESCALATIONS
    read = (sa.select(table.c.id, table.c.context, table.c.team, table.c.expert, table.c.created_at,
                      table.c.acknowledged_at, table.c.resolved_at, table.c.status)
            .order_by(table.c.id).limit(BATCH))
    columns = ('category', 'team_name', 'suggested_expert_id', 'chosen_expert_id', 'ack_seconds', 'resolve_seconds')
    write = sa.update(table).where(table.c.id == sa.bindparam('b_id')).values(
        {name: sa.bindparam('v_' + name) for name in columns})
    last = ''
    while True:
        rows = bind.execute(read.where(table.c.id > last)).all()
        if not rows:
            return
        bind.execute(write, [_facts(row) for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_failed')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_level')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        for name in ('created', 'status', 'category', 'team', 'ack', 'resolve'):
            batch_op.drop_index(f'ix_escalations_{name}')
        batch_op.drop_column('resolve_seconds')
        batch_op.drop_column('ack_seconds')
        batch_op.drop_column('chosen_expert_id')
        batch_op.drop_column('suggested_expert_id')
        batch_op.drop_column('team_name')
        batch_op.drop_column('category')
