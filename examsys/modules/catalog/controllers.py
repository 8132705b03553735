"""Catalogue pages: occupations and jobs, majors, colleges and the certification body."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from examsys.core.errors import DomainError
from examsys.modules.catalog import operations, util
from examsys.modules.catalog.forms import CertificationBodyForm, CollegeForm, JobForm, MajorForm, OccupationForm
from examsys.modules.catalog.models import StudyLevel
from examsys.web.forms import attach_domain_errors


def _college_choices(blank: bool) -> list[tuple[int, str]]:
    choices = [(c.id, c.name) for c in util.list_colleges()]
    return [(0, "—"), *choices] if blank else choices


def _render_form(form, page: dict, status: int | None = None):
    if status is None:
        status = 422 if form.errors else 200
    return render_template("catalog/form.html", form=form, **page), status


def _page(heading: str, back_url: str, back_label: str) -> dict:
    return {"heading": heading, "back_url": back_url, "back_label": back_label}


def _save(form, page: dict, save, redirect_to):
    """Shared POST handling: validate, call the operation, redirect or show the problems."""
    if form.validate_on_submit():
        try:
            obj = save()
        except DomainError as error:
            attach_domain_errors(form, error)
            return _render_form(form, page, 422)
        flash(_("已保存"), "success")
        return redirect(redirect_to(obj))
    return _render_form(form, page)


def occupations():
    q = request.args.get("q", "").strip()
    college_id = request.args.get("college", type=int)
    level = request.args.get("level", type=int)
    return render_template(
        "catalog/occupations.html",
        occupations=util.list_occupations(q, college_id, level),
        colleges=util.list_colleges(),
        levels=util.list_levels(),
        filters={"q": q, "college": college_id, "level": level},
    )


def occupation(occupation_id: int):
    return render_template("catalog/occupation.html", occupation=util.get_occupation(occupation_id))


def edit_occupation(occupation_id: int | None = None):
    occupation = util.get_occupation(occupation_id) if occupation_id else None
    form = OccupationForm(obj=occupation)
    form.owner_college_id.choices = _college_choices(blank=True)
    if occupation is not None and request.method == "GET":
        form.owner_college_id.data = occupation.owner_college_id or 0

    def save():
        return operations.save_occupation(
            occupation,
            name=form.name.data,
            code=form.code.data or "",
            standard=form.standard.data or "",
            owner_college=util.get_college(form.owner_college_id.data) if form.owner_college_id.data else None,
            active=form.active.data,
        )

    page = _page(occupation.name if occupation else _("新增职业"), url_for("catalog.occupations"), _("职业目录"))
    return _save(form, page, save, lambda o: url_for("catalog.occupation", occupation_id=o.id))


def edit_job(occupation_id: int, job_id: int | None = None):
    occupation = util.get_occupation(occupation_id)
    job = util.get_job(job_id) if job_id else None
    if job is not None and job.occupation_id != occupation.id:
        raise DomainError(_("工种不属于该职业"), status=404)
    form = JobForm(obj=job)
    form.majors.choices = [(m.id, f"{m.name}（{m.college.name}·{m.study_level.title}）") for m in util.list_majors()]
    if job is not None and request.method == "GET":
        form.levels.data = [str(n) for n in job.level_numbers]
        form.majors.data = [m.id for m in job.majors]

    def save():
        return operations.save_job(
            job,
            occupation=occupation,
            name=form.name.data or "",
            levels=[int(x) for x in form.levels.data],
            majors=[util.get_major(i) for i in form.majors.data],
            active=form.active.data,
        )

    heading = (job.name or _("（不分工种）")) if job else _("新增工种")
    page = _page(heading, url_for("catalog.occupation", occupation_id=occupation.id), occupation.name)
    return _save(form, page, save, lambda j: url_for("catalog.occupation", occupation_id=occupation.id))


def levels():
    return render_template("catalog/levels.html", levels=util.list_levels())


def majors():
    college_id = request.args.get("college", type=int)
    return render_template(
        "catalog/majors.html",
        majors=util.list_majors(college_id),
        colleges=util.list_colleges(),
        college_id=college_id,
    )


def edit_major(major_id: int | None = None):
    major = util.get_major(major_id) if major_id else None
    form = MajorForm(obj=major)
    form.college_id.choices = _college_choices(blank=False)
    if major is not None and request.method == "GET":
        form.study_level.data = major.study_level.value

    def save():
        return operations.save_major(
            major,
            college=util.get_college(form.college_id.data),
            name=form.name.data,
            study_level=StudyLevel(form.study_level.data),
            code=form.code.data or "",
            active=form.active.data,
        )

    page = _page(major.name if major else _("新增专业"), url_for("catalog.majors"), _("专业"))
    return _save(form, page, save, lambda m: url_for("catalog.majors"))


def colleges():
    return render_template("catalog/colleges.html", colleges=util.list_colleges(), body=util.certification_body())


def edit_college(college_id: int | None = None):
    college = util.get_college(college_id) if college_id else None
    form = CollegeForm(obj=college)

    def save():
        return operations.save_college(college, code=form.code.data, name=form.name.data, active=form.active.data)

    page = _page(college.name if college else _("新增学院"), url_for("catalog.colleges"), _("学院"))
    return _save(form, page, save, lambda c: url_for("catalog.colleges"))


def edit_body():
    body = util.certification_body()
    form = CertificationBodyForm(obj=body)

    def save():
        fields = ("name", "centre_name", "institution_code", "province_code", "cert_letter", "address", "phone")
        return operations.save_certification_body(**{f: getattr(form, f).data or "" for f in fields})

    page = _page(_("认定机构信息"), url_for("catalog.colleges"), _("学院"))
    return _save(form, page, save, lambda b: url_for("catalog.colleges"))
