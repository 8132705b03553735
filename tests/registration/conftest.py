"""Registration fixtures: an occupation owned by a college with a related major, and a batch."""

from datetime import UTC, date, datetime

import pytest

from examsys.modules.registration import operations
from examsys.modules.registration.models import Path

OPEN = datetime(2026, 9, 1, tzinfo=UTC)
CLOSE = datetime(2026, 10, 31, tzinfo=UTC)
DURING = datetime(2026, 9, 15, tzinfo=UTC)


@pytest.fixture
def setup(school):
    return school


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
