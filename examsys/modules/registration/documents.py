"""Registration documents built from the database: record forms (备案表) for applications."""

from __future__ import annotations

from examsys.core.media import resolve
from examsys.modules.catalog import util as catalog_util
from examsys.modules.catalog.models import LEVEL_NAMES
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Application
from examsys.modules.registration.record_form import render_record_forms


def _photo(person: Person) -> bytes | None:
    path = (person.photo_variants or {}).get("record") or person.photo_path
    if not path:
        return None
    try:
        return resolve(path).read_bytes()
    except (OSError, ValueError):
        return None


def record_form_data(application: Application) -> dict:
    """The plain dict the record-form template needs (no ORM objects reach the template)."""
    person, batch = application.person, application.batch
    document = person.primary_document
    name, title, _english = LEVEL_NAMES[batch.level]
    body = catalog_util.certification_body()
    return {
        "name": person.name,
        "gender": person.gender.value,
        "birth_month": person.birth_date,
        "education": person.education,
        "ethnicity": person.ethnicity,
        "political_status": person.political_status,
        "id_type": document.doc_type.title if document else "",
        "id_number": document.number if document else "",
        "college": person.college.name if person.college else "",
        "major": person.major.name if person.major else "",
        "class_name": person.class_name,
        "phone": person.phone,
        "occupation": batch.job.occupation.name,
        "job": batch.job.name,
        "level_label": f"{name}/{title}",
        "assessment_method": batch.path.title,
        "certificates": [
            {
                "name": c.name,
                "level": LEVEL_NAMES[c.level][0] if c.level else (c.x_level or ""),
                "number": c.number,
                "date": c.issue_date.isoformat(),
            }
            for c in person.certificates[-3:]
        ],
        "resume": [],
        "photo": _photo(person),
        "centre_name": (body.centre_name or body.name) if body else "",
        "school_name": body.name if body else "",
        "batch_name": batch.name,
    }


def record_forms_pdf(applications: list[Application], copies: int = 2) -> bytes:
    """One PDF with every application's record form, ``copies`` times each (seed 001: 一式两份)."""
    return render_record_forms([record_form_data(a) for a in applications], copies=copies)
