"""console: fleet alerts

Revision ID: 0003a
Revises: 0003
Create Date: 2026-12-04 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.models


revision = '0003a'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kiosk_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('detail', sa.String(length=64), nullable=True),
    sa.Column('raised_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', central.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('cleared_at', central.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('open_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['operators.id'], name=op.f('fk_kiosk_alerts_acknowledged_by_operators')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_kiosk_alerts_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_alerts')),
    sa.UniqueConstraint('open_key', name=op.f('uq_kiosk_alerts_open_key'))
    )
    with op.batch_alter_table('kiosk_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_alerts_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kiosk_alerts_raised_at'), ['raised_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kiosk_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_alerts_raised_at'))
        batch_op.drop_index(batch_op.f('ix_kiosk_alerts_kiosk_id'))

    op.drop_table('kiosk_alerts')
