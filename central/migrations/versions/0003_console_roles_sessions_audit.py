"""console: operator roles and offices, console sessions, the operator audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('operators', schema=None) as batch_op:
        # Accounts made before roles existed keep the full powers they had.
        batch_op.add_column(sa.Column('role', sa.String(length=24), server_default='district_admin', nullable=False))
        batch_op.add_column(sa.Column('office_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_operators_office_id_offices'), 'offices', ['office_id'], ['id'])

    op.create_table('console_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', central.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_console_sessions_operator_id_operators')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_operator_id'), ['operator_id'], unique=False)

    op.create_table('operator_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('record', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_operator_audit_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_audit'))
    )
    with op.batch_alter_table('operator_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_operator_audit_operator_id'), ['operator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('operator_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_audit_operator_id'))
        batch_op.drop_index(batch_op.f('ix_operator_audit_at'))

    op.drop_table('operator_audit')
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_operator_id'))

    op.drop_table('console_sessions')
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_operators_office_id_offices'), type_='foreignkey')
        batch_op.drop_column('office_id')
        batch_op.drop_column('role')
