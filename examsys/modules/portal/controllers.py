"""The candidate portal: the candidate's registered details, open batches and their applications."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core.db import utcnow
from examsys.core.errors import DomainError
from examsys.core.ids import mask_number
from examsys.modules.catalog import util as catalog_util
from examsys.modules.registration import operations as registration
from examsys.modules.registration import util as registration_util
from examsys.modules.tickets import rendering as ticket_rendering
from examsys.modules.tickets import util as tickets_util
from examsys.web.downloads import pdf_response


def home():
    person = current_user.person
    mine = registration_util.applications_of(person) if person else []
    applied = {a.batch_id for a in mine}
    open_batches = [b for b in registration_util.open_batches(utcnow()) if b.id not in applied]
    return render_template(
        "portal/home.html",
        tickets=tickets_util.released_tickets_of(person) if person else [],
        person=person,
        body=catalog_util.certification_body(),
        mask=mask_number,
        applications=mine,
        open_batches=open_batches,
    )


def apply(batch_id: int):
    person = current_user.person
    if person is None:
        raise DomainError(_("您的账户尚未关联人员信息，请联系认定中心"))
    registration.apply(registration_util.get_batch(batch_id, None), person)
    flash(_("报名已提交，等待学院审核"), "success")
    return redirect(url_for("portal.home"))


def ticket(ticket_id: int):
    """The candidate's own admission ticket, once the centre has released the plan's tickets."""
    wanted = next((t for t in tickets_util.released_tickets_of(current_user.person) if t.id == ticket_id), None)
    if wanted is None:
        raise DomainError(_("准考证尚未发布，或不是您的准考证"), status=404)
    return pdf_response(ticket_rendering.ticket_pdf(wanted), f"准考证-{wanted.number}.pdf", inline=False)
