"""heartbeat history: raw pings by day, hourly roll-ups, facts in the latest state

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-04 07:45:00

The raw table loses its id and payload (83,000 kiosks ping 120 million times a day: the
newest payload stays in kiosk_state) and gains the facts the fleet pages show. On PostgreSQL
both history tables are partitioned by day (declarative RANGE partitions) with a DEFAULT
partition, so a ping never fails for want of a partition; ``kiosk-central heartbeats
maintain`` creates the dated partitions ahead and drops expired ones. The pings kept so far
(at most ``heartbeat_history`` per kiosk) are carried over with the facts their payload holds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.models

revision = '0006'
down_revision = '0007'
branch_labels = None
depends_on = None

_OLD = 'heartbeats_before_0006'
_FACTS = {  # column: (PostgreSQL expression, SQLite expression) over the old JSON payload
    'app_state': ("payload->>'app_state'", "json_extract(payload, '$.app_state')"),
    'app_reason': ("payload->>'app_state_reason'", "json_extract(payload, '$.app_state_reason')"),
    'faults': ('0', '0'),
    'outbox_backlog': (
        "(payload->>'outbox_backlog')::integer",
        "json_extract(payload, '$.outbox_backlog')",
    ),
    'rtt_ms': (
        "(payload->'network'->>'rtt_ms')::float",
        "json_extract(payload, '$.network.rtt_ms')",
    ),
    'disk_free_mb': (
        "(payload->'resources'->>'disk_free_mb')::integer",
        "json_extract(payload, '$.resources.disk_free_mb')",
    ),
    'device_change': (
        "coalesce(payload->>'trigger', '') = 'device_change'",
        "coalesce(json_extract(payload, '$.trigger'), '') = 'device_change'",
    ),
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def _default_partition(table: str) -> None:
    if _postgres():
        op.execute(f'CREATE TABLE {table}_default PARTITION OF {table} DEFAULT')


def upgrade() -> None:
    with op.batch_alter_table('kiosk_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('app_state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('app_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('paper', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('faults', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('outbox_backlog', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('app_version', sa.String(length=64), nullable=True))

    with op.batch_alter_table('heartbeats', schema=None) as batch_op:
        batch_op.drop_index('ix_heartbeats_kiosk_received')
    op.rename_table('heartbeats', _OLD)

    op.create_table('heartbeats',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('received_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('app_state', sa.String(length=16), nullable=False),
    sa.Column('app_reason', sa.String(length=16), nullable=True),
    sa.Column('paper', sa.String(length=8), nullable=True),
    sa.Column('faults', sa.SmallInteger(), nullable=False),
    sa.Column('outbox_backlog', sa.Integer(), nullable=False),
    sa.Column('rtt_ms', sa.Float(), nullable=True),
    sa.Column('disk_free_mb', sa.Integer(), nullable=False),
    sa.Column('device_change', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_heartbeats_kiosk_id_kiosks')),
    postgresql_partition_by='RANGE (received_at)',
    )
    op.create_index('ix_heartbeats_kiosk_received', 'heartbeats', ['kiosk_id', 'received_at'])
    op.create_index(
        'ix_heartbeats_received_at', 'heartbeats', ['received_at'], postgresql_using='brin'
    )
    _default_partition('heartbeats')

    which = 0 if _postgres() else 1
    columns = ', '.join(_FACTS)
    facts = ', '.join(expression[which] for expression in _FACTS.values())
    op.execute(
        f'INSERT INTO heartbeats (kiosk_id, received_at, sequence, {columns}) '
        f'SELECT kiosk_id, received_at, sequence, {facts} FROM {_OLD}'
    )
    op.drop_table(_OLD)

    op.create_table('heartbeat_hourly',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('hour_start', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pings', sa.Integer(), nullable=False),
    sa.Column('available_pings', sa.Integer(), nullable=False),
    sa.Column('device_changes', sa.Integer(), nullable=False),
    sa.Column('first_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_app_state', sa.String(length=16), nullable=False),
    sa.Column('last_app_reason', sa.String(length=16), nullable=True),
    sa.Column('last_paper', sa.String(length=8), nullable=True),
    sa.Column('faults_min', sa.SmallInteger(), nullable=False),
    sa.Column('faults_max', sa.SmallInteger(), nullable=False),
    sa.Column('faults_last', sa.SmallInteger(), nullable=False),
    sa.Column('outbox_backlog_min', sa.Integer(), nullable=False),
    sa.Column('outbox_backlog_max', sa.Integer(), nullable=False),
    sa.Column('outbox_backlog_last', sa.Integer(), nullable=False),
    sa.Column('rtt_ms_min', sa.Float(), nullable=True),
    sa.Column('rtt_ms_max', sa.Float(), nullable=True),
    sa.Column('rtt_ms_last', sa.Float(), nullable=True),
    sa.Column('disk_free_mb_min', sa.Integer(), nullable=False),
    sa.Column('disk_free_mb_max', sa.Integer(), nullable=False),
    sa.Column('disk_free_mb_last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_heartbeat_hourly_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('kiosk_id', 'hour_start', name=op.f('pk_heartbeat_hourly')),
    postgresql_partition_by='RANGE (hour_start)',
    )
    op.create_index(
        'ix_heartbeat_hourly_hour_start',
        'heartbeat_hourly',
        ['hour_start'],
        postgresql_using='brin',
    )
    _default_partition('heartbeat_hourly')


def downgrade() -> None:
    """Back to the bounded ring of whole payloads: the slim history cannot be turned back
    into payloads, so the old table starts empty (the fleet view reads kiosk_state)."""
    op.drop_table('heartbeat_hourly')  # its partitions go with it on PostgreSQL
    op.drop_table('heartbeats')
    op.create_table('heartbeats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('received_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_heartbeats_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_heartbeats'))
    )
    with op.batch_alter_table('heartbeats', schema=None) as batch_op:
        batch_op.create_index('ix_heartbeats_kiosk_received', ['kiosk_id', 'id'], unique=False)
    with op.batch_alter_table('kiosk_state', schema=None) as batch_op:
        for column in ('app_version', 'outbox_backlog', 'faults', 'paper', 'app_reason', 'app_state'):
            batch_op.drop_column(column)
