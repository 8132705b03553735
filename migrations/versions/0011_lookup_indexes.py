"""Lookup indexes for the synchronised start: the upper-cased ID number (the exam login), and no
index on the attempt's status (it made PostgreSQL look attempts up by status, not by id)

Revision ID: 0011_lookup_indexes
Revises: 0010_proctoring_reports
Create Date: 2026-12-03 23:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_lookup_indexes'
down_revision = '0010_proctoring_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.create_index('ix_identity_documents_number_upper', [sa.text('upper(number)')], unique=False)
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_status')


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_status', ['status'], unique=False)
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_documents_number_upper')
