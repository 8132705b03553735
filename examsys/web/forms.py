"""Form helpers shared by every module."""

from __future__ import annotations

from flask import flash
from wtforms import Form

from examsys.core.errors import DomainError


def flash_form_errors(form: Form) -> None:
    for field_name, errors in form.errors.items():
        label = getattr(form, field_name).label.text if hasattr(form, field_name) else field_name
        for error in errors:
            flash(f"{label}：{error}", "error")


def attach_domain_errors(form: Form, error: DomainError) -> None:
    """Show each problem next to its field where the form has one, else at the top."""
    for problem in error.problems or []:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is not None:
            field.errors = [*field.errors, str(problem.message)]
        else:
            flash(str(problem), "error")
    if not error.problems:
        flash(str(error), "error")
