"""finished letters collected at the kiosk (finished_letters: the columns the kiosk needs;
the back office's migration 0004 creates the full table, and replaces this one at merge)

Revision ID: 0008
Revises: 0003a
Create Date: 2026-12-04 08:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.models


revision = '0008'
down_revision = '0003a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('finished_letters',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('issued_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('printed_at', central.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['letter_requests.id'], name=op.f('fk_finished_letters_request_id_letter_requests')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_finished_letters'))
    )


def downgrade() -> None:
    op.drop_table('finished_letters')
