"""Read queries and file parsing for the catalogue (no writes)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from examsys.core.db import db, get_or_404
from examsys.modules.catalog.models import CertifiableLevel, CertificationBody, College, Job, Level, Major, Occupation

OCCUPATIONS_CSV = Path(__file__).resolve().parents[2] / "data" / "occupations.csv"


def certification_body() -> CertificationBody | None:
    return db.session.get(CertificationBody, 1)


def list_levels() -> list[Level]:
    return list(db.session.scalars(sa.select(Level).order_by(Level.number.desc())))


def list_colleges(active_only: bool = False) -> list[College]:
    stmt = sa.select(College).order_by(College.code)
    if active_only:
        stmt = stmt.where(College.active.is_(True))
    return list(db.session.scalars(stmt))


def get_college(college_id: int) -> College:
    return get_or_404(College, college_id, _l("学院不存在"))


def list_majors(college_id: int | None = None) -> list[Major]:
    stmt = sa.select(Major).options(selectinload(Major.college)).order_by(Major.college_id, Major.name)
    if college_id:
        stmt = stmt.where(Major.college_id == college_id)
    return list(db.session.scalars(stmt))


def get_major(major_id: int) -> Major:
    return get_or_404(Major, major_id, _l("专业不存在"))


def list_occupations(q: str = "", college_id: int | None = None, level: int | None = None) -> list[Occupation]:
    stmt = (
        sa.select(Occupation)
        .options(selectinload(Occupation.jobs).selectinload(Job.levels), selectinload(Occupation.owner_college))
        .order_by(Occupation.code, Occupation.name)
    )
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            sa.or_(Occupation.name.like(like), Occupation.code.like(like), Occupation.jobs.any(Job.name.like(like)))
        )
    if college_id:
        stmt = stmt.where(Occupation.owner_college_id == college_id)
    if level:
        stmt = stmt.where(Occupation.jobs.any(Job.levels.any(CertifiableLevel.level == level)))
    return list(db.session.scalars(stmt))


def get_occupation(occupation_id: int) -> Occupation:
    return get_or_404(Occupation, occupation_id, _l("职业不存在"))


def get_job(job_id: int) -> Job:
    return get_or_404(Job, job_id, _l("工种不存在"))


def majors_named(names: list[str]) -> list[Major]:
    if not names:
        return []
    return list(db.session.scalars(sa.select(Major).where(Major.name.in_(names))))


@dataclass(frozen=True)
class OccupationRow:
    line: int
    code: str
    occupation: str
    job: str
    levels: tuple[int, ...]
    majors: tuple[str, ...]
    standard: str
    sources: tuple[str, ...]


def read_occupations_csv(path: Path = OCCUPATIONS_CSV) -> list[OccupationRow]:
    """Parse the project's occupation list (the columns of shared/domain/occupations.csv)."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, raw in enumerate(csv.DictReader(fh), start=2):
            rows.append(
                OccupationRow(
                    line=line,
                    code=raw["occupation_code"].strip(),
                    occupation=raw["occupation"].strip(),
                    job=raw["job"].strip(),
                    levels=tuple(int(x) for x in raw["levels"].split(";") if x.strip()),
                    majors=tuple(m.strip() for m in raw["majors"].split(";") if m.strip()),
                    standard=raw["standard"].strip(),
                    sources=tuple(s.strip() for s in raw["source"].split(";") if s.strip()),
                )
            )
    return rows


def find_job(occupation_ref: str, job_name: str = "") -> Job | None:
    """The job named ``job_name`` ("" for the occupation itself) of the occupation whose
    national code or name is ``occupation_ref``; None when there is no such job."""
    occupation = db.session.scalar(
        sa.select(Occupation).where(sa.or_(Occupation.code == occupation_ref, Occupation.name == occupation_ref))
    )
    if occupation is None:
        return None
    return next((job for job in occupation.jobs if job.name == job_name.strip()), None)
