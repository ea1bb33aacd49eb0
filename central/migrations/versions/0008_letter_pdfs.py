"""finished letters collected at the kiosk (letter_pdfs)

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-04 08:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.models


revision = '0008'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_pdfs',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('attached_at', central.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('printed_at', central.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('printed_by_kiosk_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['printed_by_kiosk_id'], ['kiosks.id'], name=op.f('fk_letter_pdfs_printed_by_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['request_id'], ['letter_requests.id'], name=op.f('fk_letter_pdfs_request_id_letter_requests')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_letter_pdfs'))
    )


def downgrade() -> None:
    op.drop_table('letter_pdfs')
