"""Catalogue writes: the certification body, colleges, majors, occupations and jobs."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.catalog import util
from examsys.modules.catalog.models import (
    CertifiableLevel,
    CertificationBody,
    College,
    Job,
    Major,
    Occupation,
    StudyLevel,
)

BODY_FIELDS = ("name", "centre_name", "institution_code", "province_code", "cert_letter", "address", "phone")
COLLEGE_FIELDS = ("code", "name", "active")
MAJOR_FIELDS = ("college_id", "code", "name", "study_level", "active")
OCCUPATION_FIELDS = ("code", "name", "standard", "owner_college_id", "sources", "active")
OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")


def _raise_if(problems: list[Problem], message: str) -> None:
    if problems:
        raise DomainError(message, problems)


def save_certification_body(**data) -> CertificationBody:
    """Create or update the single certification-body row."""
    problems = []
    if not data.get("name", "").strip():
        problems.append(Problem(_("机构名称不能为空"), field="name"))
    if not re.fullmatch(r"\d{2}", data.get("province_code", "")):
        problems.append(Problem(_("省份代码应为 2 位数字，如河南 41"), field="province_code"))
    if data.get("cert_letter") not in {"Y", "S"}:
        problems.append(Problem(_("证书编号字母只能是 Y 或 S"), field="cert_letter"))
    if not data.get("institution_code", "").strip():
        problems.append(Problem(_("机构代码不能为空"), field="institution_code"))
    _raise_if(problems, _("认定机构信息有误"))
    body = util.certification_body()
    before = audit.snapshot(body, BODY_FIELDS) if body else None
    if body is None:
        body = CertificationBody(id=1)
        db.session.add(body)
    for key in BODY_FIELDS:
        if key in data:
            setattr(body, key, data[key].strip() if isinstance(data[key], str) else data[key])
    audit.record("certification_body.save", body, before=before, after=audit.snapshot(body, BODY_FIELDS))
    return body


def save_college(college: College | None, *, code: str, name: str, active: bool = True) -> College:
    code, name = code.strip(), name.strip()
    problems = []
    if not code:
        problems.append(Problem(_("学院代码不能为空"), field="code"))
    if not name:
        problems.append(Problem(_("学院名称不能为空"), field="name"))
    for column, value, label in ((College.code, code, _("代码")), (College.name, name, _("名称"))):
        clash = db.session.scalar(sa.select(College).where(column == value))
        if clash is not None and clash is not college:
            problems.append(Problem(_("%(label)s %(value)s 已被其他学院使用", label=label, value=value)))
    _raise_if(problems, _("学院信息有误"))
    before = audit.snapshot(college, COLLEGE_FIELDS) if college else None
    if college is None:
        college = College()
        db.session.add(college)
    college.code, college.name, college.active = code, name, active
    audit.record("college.save", college, before=before, after=audit.snapshot(college, COLLEGE_FIELDS))
    return college


def save_major(
    major: Major | None, *, college: College, name: str, study_level: StudyLevel, code: str = "", active: bool = True
) -> Major:
    name = name.strip()
    if not name:
        raise DomainError(_("专业信息有误"), [Problem(_("专业名称不能为空"), field="name")])
    clash = db.session.scalar(
        sa.select(Major).where(Major.college_id == college.id, Major.name == name, Major.study_level == study_level)
    )
    if clash is not None and clash is not major:
        raise DomainError(_("专业信息有误"), [Problem(_("该学院已有同名同层次专业"), field="name")])
    before = audit.snapshot(major, MAJOR_FIELDS) if major else None
    if major is None:
        major = Major()
        db.session.add(major)
    major.college, major.name, major.study_level, major.code, major.active = college, name, study_level, code, active
    db.session.flush()
    audit.record("major.save", major, before=before, after=audit.snapshot(major, MAJOR_FIELDS))
    return major


def save_occupation(
    occupation: Occupation | None,
    *,
    name: str,
    code: str = "",
    standard: str = "国标",
    owner_college: College | None = None,
    active: bool = True,
) -> Occupation:
    """Create or update an occupation; a new one gets its job row for the occupation itself."""
    name, code = name.strip(), code.strip()
    problems = []
    if not name:
        problems.append(Problem(_("职业名称不能为空"), field="name"))
    if code and not OCCUPATION_CODE.match(code):
        problems.append(Problem(_("职业编码格式应为 4-01-02-02"), field="code"))
    clash = db.session.scalar(sa.select(Occupation).where(Occupation.name == name))
    if clash is not None and clash is not occupation:
        problems.append(Problem(_("职业 %(name)s 已存在", name=name), field="name"))
    _raise_if(problems, _("职业信息有误"))
    before = audit.snapshot(occupation, OCCUPATION_FIELDS) if occupation else None
    if occupation is None:
        occupation = Occupation(jobs=[Job(name="")])
        db.session.add(occupation)
    occupation.name, occupation.code, occupation.standard = name, code, standard.strip() or "国标"
    occupation.owner_college, occupation.active = owner_college, active
    db.session.flush()
    audit.record("occupation.save", occupation, before=before, after=audit.snapshot(occupation, OCCUPATION_FIELDS))
    return occupation


def _job_state(job: Job) -> dict:
    return {
        "occupation_id": job.occupation_id,
        "name": job.name,
        "active": job.active,
        "levels": sorted(job.level_numbers),
        "majors": sorted(m.id for m in job.majors),
    }


def save_job(
    job: Job | None,
    *,
    occupation: Occupation,
    name: str,
    levels: Iterable[int],
    majors: Iterable[Major] = (),
    active: bool = True,
) -> Job:
    """Create or update a job/track with its certifiable levels and related majors."""
    name, levels = name.strip(), sorted(set(levels))
    problems = []
    if any(level not in range(1, 6) for level in levels):
        problems.append(Problem(_("等级只能是 1 至 5 级"), field="levels"))
    clash = db.session.scalar(sa.select(Job).where(Job.occupation_id == occupation.id, Job.name == name))
    if clash is not None and clash is not job:
        problems.append(Problem(_("该职业已有工种「%(name)s」", name=name or "—"), field="name"))
    _raise_if(problems, _("工种信息有误"))
    before = _job_state(job) if job else None
    if job is None:
        job = Job(occupation=occupation)
        db.session.add(job)
    job.name, job.active, job.majors = name, active, list(majors)
    current = {row.level: row for row in job.levels}
    for level in set(current) - set(levels):
        job.levels.remove(current[level])
    for level in set(levels) - set(current):
        job.levels.append(CertifiableLevel(level=level))
    db.session.flush()
    audit.record("job.save", job, before=before, after=_job_state(job))
    return job


def import_occupations(rows: list[util.OccupationRow]) -> dict[str, int]:
    """Load occupations, jobs, levels and major links; safe to run again (updates in place).

    Majors are linked by name to every existing major of that name, so run it after the
    colleges' majors exist (or again afterwards).
    """
    counts = {"occupations": 0, "jobs": 0}
    for row in rows:
        occupation = db.session.scalar(sa.select(Occupation).where(Occupation.name == row.occupation))
        if occupation is None:
            occupation = save_occupation(None, name=row.occupation, code=row.code, standard=row.standard)
            counts["occupations"] += 1
        elif row.code and not occupation.code:
            occupation.code = row.code
        sources = sorted(set(filter(None, occupation.sources.split(";"))) | set(row.sources))
        occupation.sources = ";".join(sources)
        job = next((j for j in occupation.jobs if j.name == row.job), None)
        if job is None:
            counts["jobs"] += 1
        merged_levels = set(row.levels) | set(job.level_numbers if job else ())
        merged_majors = {m.id: m for m in [*util.majors_named(list(row.majors)), *(job.majors if job else [])]}
        save_job(job, occupation=occupation, name=row.job, levels=merged_levels, majors=merged_majors.values())
    _drop_empty_self_jobs()
    return counts


def _drop_empty_self_jobs() -> None:
    """An occupation that has named tracks does not also need an empty, level-less self row."""
    for job in db.session.scalars(sa.select(Job).where(Job.name == "")):
        if not job.levels and len(job.occupation.jobs) > 1:
            audit.record("job.delete", object_type="jobs", object_id=job.id, before=_job_state(job))
            job.occupation.jobs.remove(job)
