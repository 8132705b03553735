"""Registration fixtures: an occupation owned by a college with a related major, and a batch."""

from datetime import UTC, date, datetime

import pytest

from examsys.modules.catalog import operations as catalog
from examsys.modules.registration import operations
from examsys.modules.registration.models import Path

OPEN = datetime(2026, 9, 1, tzinfo=UTC)
CLOSE = datetime(2026, 10, 31, tzinfo=UTC)
DURING = datetime(2026, 9, 15, tzinfo=UTC)


@pytest.fixture
def setup(db_session, make_college, make_major):
    college = make_college(name="商贸学院")
    major = make_major(college=college, name="电子商务")
    occupation = catalog.save_occupation(None, name="电子商务师", code="4-01-02-02", owner_college=college)
    job = catalog.save_job(occupation.jobs[0], occupation=occupation, name="网商", levels=[4, 3], majors=[major])
    return {"college": college, "major": major, "occupation": occupation, "job": job}


@pytest.fixture
def make_batch(setup):
    def factory(level=3, rules=None, **overrides):
        data = operations.BatchData(
            name=overrides.pop("name", f"2026 秋 {level} 级"),
            job=setup["job"],
            level=level,
            path=Path.EXAM,
            college=overrides.pop("college", setup["college"]),
            opens_at=OPEN,
            closes_at=CLOSE,
            exam_date=date(2026, 11, 20),
            rules=rules or [],
            **overrides,
        )
        return operations.save_batch(None, data)

    return factory
