"""The office's machine-test settings: per session (start, earliest hand-in, partial credit) and
per batch (what candidates see after handing in)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from examsys.core.errors import DomainError, Problem
from examsys.modules.delivery import options
from examsys.modules.delivery.models import ResultVisibility
from examsys.modules.registration import util as registration_util
from examsys.modules.scheduling import util as scheduling_util


def save_options(session_id: int):
    session = scheduling_util.get_session(session_id)
    try:
        minutes = int(request.form.get("earliest_submit_minutes", ""))
    except ValueError as exc:
        raise DomainError(_("请填写整数"), [Problem(_("请填写整数"), field="earliest_submit_minutes")]) from exc
    options.set_session_options(
        session,
        start_by_proctor=bool(request.form.get("start_by_proctor")),
        earliest_submit_minutes=minutes,
        partial_credit=bool(request.form.get("partial_credit")),
    )
    plan_batches = {b.id for b in session.plan.batches}
    for batch_id in plan_batches:
        value = request.form.get(f"visibility_{batch_id}")
        if value:
            try:
                choice = ResultVisibility(value)
            except ValueError as exc:
                raise DomainError(_("未知的成绩显示方式"), [Problem(_("未知的成绩显示方式"),
                                                                   field=f"visibility_{batch_id}")]) from exc  # fmt: skip
            options.set_visibility(registration_util.get_batch(batch_id, None), choice)
    flash(_("机考设置已保存"), "success")
    return redirect(url_for("scheduling.session", session_id=session.id, _anchor="exam-options"))
