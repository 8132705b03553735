"""Audit log viewer and chain check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request

from examsys.core.audit import AuditEntry, verify_chain
from examsys.core.db import db

PER_PAGE = 100


def entries():
    filters = {k: request.args.get(k, "").strip() for k in ("action", "object_type", "object_id", "actor")}
    stmt = sa.select(AuditEntry)
    if filters["action"]:
        stmt = stmt.where(AuditEntry.action.like(f"{filters['action']}%"))
    if filters["object_type"]:
        stmt = stmt.where(AuditEntry.object_type == filters["object_type"])
    if filters["object_id"]:
        stmt = stmt.where(AuditEntry.object_id == filters["object_id"])
    if filters["actor"]:
        stmt = stmt.where(AuditEntry.actor_label == filters["actor"])
    page = max(1, request.args.get("page", 1, type=int))
    rows = db.session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    rows = list(rows)
    return render_template(
        "audit/entries.html", entries=rows[:PER_PAGE], has_more=len(rows) > PER_PAGE, page=page, filters=filters
    )


def verify():
    return render_template("audit/verify.html", problem=verify_chain())
