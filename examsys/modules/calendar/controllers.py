"""Working-day calculator and the override table."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, Length

from examsys.core.calendar import CalendarOverride, shift_working_days, working_days_between
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.modules.calendar import operations


class OverrideForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired()])
    is_working_day = BooleanField(_l("工作日（调休上班）"))
    note = StringField(_l("依据"), validators=[DataRequired(), Length(max=200)])


class DeleteForm(FlaskForm):
    pass


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def index():
    start, n, end = _date_arg("start"), request.args.get("n", type=int), _date_arg("end")
    shifted = shift_working_days(start, n) if start and n is not None and abs(n) <= 366 else None
    between = working_days_between(start, end) if start and end and abs((end - start).days) <= 3660 else None
    overrides = db.session.scalars(sa.select(CalendarOverride).order_by(CalendarOverride.day.desc()))
    return render_template(
        "calendar/index.html",
        start=start, n=n, end=end, shifted=shifted, between=between,
        overrides=list(overrides), form=OverrideForm(), delete_form=DeleteForm(),
    )  # fmt: skip


def save_override():
    form = OverrideForm()
    if not form.validate_on_submit():
        raise DomainError(_("请填写日期和依据"))
    operations.set_override(form.day.data, form.is_working_day.data, form.note.data)
    flash(_("已保存"), "success")
    return redirect(url_for("calendar.index"))


def delete_override(day: str):
    if not DeleteForm().validate_on_submit():
        raise DomainError(_("表单已过期"))
    try:
        parsed = date.fromisoformat(day)
    except ValueError as exc:
        raise DomainError(_("日期格式有误"), status=404) from exc
    operations.delete_override(parsed)
    flash(_("已删除"), "success")
    return redirect(url_for("calendar.index"))
