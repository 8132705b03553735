"""People pages: search with filters, detail, create and edit."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core.errors import DomainError
from examsys.core.ids import DocumentType, mask_number
from examsys.core.media import resolve
from examsys.modules.catalog import util as catalog_util
from examsys.modules.catalog.models import StudyLevel
from examsys.modules.people import certificates as held_certificates
from examsys.modules.people import operations, photo_uploads, roster_import, util
from examsys.modules.people.forms import PersonForm
from examsys.modules.people.models import Gender, PersonKind
from examsys.modules.people.roster import write_roster_template
from examsys.web.forms import attach_domain_errors


def _enum_arg(enum_cls, name: str):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def search():
    scope = util.scope_college(current_user)
    flt = util.PeopleFilter(
        q=request.args.get("q", "").strip(),
        kind=_enum_arg(PersonKind, "kind"),
        college_id=scope or request.args.get("college", type=int),
        major_id=request.args.get("major", type=int),
        grade=request.args.get("grade", "").strip(),
        class_name=request.args.get("class", "").strip(),
        study_level=_enum_arg(StudyLevel, "study_level"),
    )
    page = util.search_people(flt, scope=scope, page=request.args.get("page", 1, type=int))
    colleges = [catalog_util.get_college(scope)] if scope else catalog_util.list_colleges()
    return render_template(
        "people/search.html",
        page=page,
        flt=flt,
        colleges=colleges,
        majors=catalog_util.list_majors(flt.college_id),
        grades=util.distinct_grades(scope),
        kinds=list(PersonKind),
        study_levels=list(StudyLevel),
        mask=mask_number,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


def detail(person_id: int):
    person = util.get_person(person_id, scope=util.scope_college(current_user))
    return render_template("people/detail.html", person=person, mask=mask_number)


def _form(person=None) -> PersonForm:
    scope = util.scope_college(current_user)
    form = PersonForm(obj=person)
    colleges = [catalog_util.get_college(scope)] if scope else catalog_util.list_colleges()
    form.college_id.choices = ([] if scope else [(0, "—")]) + [(c.id, c.name) for c in colleges]
    majors = catalog_util.list_majors(scope)
    form.major_id.choices = [(0, "—")] + [(m.id, f"{m.name}（{m.college.name}·{m.study_level.title}）") for m in majors]
    if person is not None and request.method == "GET":
        doc = person.primary_document
        form.kind.data = person.kind.value
        form.gender.data = person.gender.value
        form.study_level.data = person.study_level.value if person.study_level else ""
        form.college_id.data = person.college_id or 0
        form.major_id.data = person.major_id or 0
        if doc:
            form.doc_type.data, form.doc_number.data = doc.doc_type.value, doc.number
    return form


def _data(form: PersonForm) -> operations.PersonData:
    text = {
        name: (getattr(form, name).data or "").strip()
        for name in (
            "name",
            "ethnicity",
            "political_status",
            "education",
            "phone",
            "email",
            "grade",
            "class_name",
            "department",
            "doc_number",
        )
    }
    return operations.PersonData(
        kind=PersonKind(form.kind.data),
        doc_type=DocumentType(form.doc_type.data),
        gender=Gender(form.gender.data) if form.gender.data else None,
        birth_date=form.birth_date.data,
        college=catalog_util.get_college(form.college_id.data) if form.college_id.data else None,
        major=catalog_util.get_major(form.major_id.data) if form.major_id.data else None,
        student_no=(form.student_no.data or "").strip() or None,
        staff_no=(form.staff_no.data or "").strip() or None,
        study_level=StudyLevel(form.study_level.data) if form.study_level.data else None,
        expected_graduation=form.expected_graduation.data,
        **text,
    )


def edit(person_id: int | None = None):
    scope = util.scope_college(current_user)
    person = util.get_person(person_id, scope=scope) if person_id else None
    form = _form(person)
    if form.validate_on_submit():
        data = _data(form)
        try:
            if person is None:
                person = operations.create_person(data, scope=scope)
            else:
                operations.update_person(person, data, scope=scope)
        except DomainError as error:
            attach_domain_errors(form, error)
            return render_template("people/form.html", form=form, person=person), error.status
        for warning in data.warnings:
            flash(warning, "warning")
        flash(_("已保存"), "success")
        return redirect(url_for("people.detail", person_id=person.id))
    return render_template("people/form.html", form=form, person=person), 422 if form.errors else 200


def roster():
    """Upload page for the roster (实名制花名册) and, after a POST, what the import did."""
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise DomainError(_("请选择花名册文件"))
        report = roster_import.import_roster(upload.read(), upload.filename, scope=util.scope_college(current_user))
        flash(
            _(
                "花名册已导入：新增 %(c)d 人，更新 %(u)d 人，未变 %(n)d 人",
                c=report.created,
                u=report.updated,
                n=report.unchanged,
            ),
            "success",
        )
    return render_template("people/roster.html", report=report)


def roster_template():
    response = Response(
        write_roster_template(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('花名册模板.xlsx')}"
    return response


def photos():
    """Bulk photo upload (zip of 姓名-证件号码.jpg) and the report of missing or refused photos."""
    scope = util.scope_college(current_user)
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise DomainError(_("请选择照片压缩包"))
        report = photo_uploads.upload_zip(upload.read(), scope=scope)
        flash(_("已接收 %(a)d 张照片，%(r)d 张不合格", a=len(report.accepted), r=len(report.rejected)), "success")
    return render_template("people/photos.html", report=report, missing=photo_uploads.photo_report(scope))


def upload_photo(person_id: int):
    scope = util.scope_college(current_user)
    person = util.get_person(person_id, scope=scope)
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        raise DomainError(_("请选择照片"))
    photo_uploads.upload_photo(person, upload.read(), scope=scope)
    flash(_("照片已通过检查并保存"), "success")
    return redirect(url_for("people.detail", person_id=person.id))


def send_photo(person):
    """A person's registered photo (the ticket-sized copy), never cached by the browser."""
    path = (person.photo_variants or {}).get("ticket") or person.photo_path
    if not path:
        raise DomainError(_("没有照片"), status=404)
    response = send_file(resolve(path), mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def photo(person_id: int):
    return send_photo(util.get_person(person_id, scope=util.scope_college(current_user)))


def certificates():
    """Import certificates people already hold (职业技能等级 and 1+X) from xlsx or CSV."""
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise DomainError(_("请选择证书文件"))
        added = held_certificates.import_certificates(upload.read(), upload.filename)
        flash(_("已导入 %(n)d 张证书", n=added), "success")
        return redirect(url_for("people.certificates"))
    return render_template("people/certificates.html")
