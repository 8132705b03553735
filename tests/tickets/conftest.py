"""An approved plan with seated candidates who have ID documents and photos, ready for tickets."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from PIL import Image, ImageDraw

from examsys.core import media
from examsys.core.db import db
from examsys.core.ids import DocumentType, make_resident_id
from examsys.core.timezone import from_local
from examsys.modules.people.models import IdentityDocument
from examsys.modules.scheduling import operations as rooms
from examsys.modules.scheduling import plans, practical_seating, seating, sessions
from examsys.modules.scheduling.models import RoomKind, SessionKind
from tests.delivery.conftest import make_exam  # noqa: F401 - fixture (the machine-test login)


def at(hour, minute=0, day=10):
    return from_local(datetime(2026, 12, day, hour, minute))


def portrait(shade: int) -> bytes:
    """A 1-inch (295x413) JPEG: light background, a head and shoulders in a distinct colour."""
    image = Image.new("RGB", (295, 413), (236, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 80, 205, 215), fill=(200, 160, 130))
    draw.rectangle((60, 250, 235, 413), fill=(shade % 200, 60, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def give_identity(person, n: int) -> None:
    number = make_resident_id(region="410102", birth=date(2004, 3, 1 + n % 28), sequence=100 + n)
    db.session.add(IdentityDocument(person=person, doc_type=DocumentType.resident_id, number=number))
    path = media.store_bytes("photos", portrait(n * 37), ".jpg")
    person.photo_path, person.photo_variants = path, {"ticket": path}


@pytest.fixture
def ticket_plan(school, make_plan, make_exam_batch, enrol, make_lab):
    """12 candidates in two classes, one 4x5 lab (18 usable seats), a practical slot, approved."""
    batch = make_exam_batch()
    apps = enrol(batch, {"24电商1班": 7, "24电商2班": 5})
    for n, app in enumerate(apps):
        give_identity(app.person, n)
    venue = rooms.create_venue("P-DS", "电商实训中心", RoomKind.PRACTICAL, 12, "电商运营工位", [school["occupation"]])
    plan = make_plan(batches=[batch])
    lab = make_lab(rows=4, cols=5, code="J101", name="一号机房")
    theory = sessions.create_session(plan, sessions.SessionData(SessionKind.THEORY, "理论第1场", at(8, 30), 90, [lab]))
    practical = sessions.create_session(
        plan, sessions.SessionData(SessionKind.PRACTICAL, "实操第1场", at(14), 120, [venue])
    )
    seating.allocate_theory(plan)
    practical_seating.allocate_practical(plan)
    plans.file_plan(plan, date(2026, 11, 20))
    plans.approve_plan(plan, date(2026, 11, 23), "粤人社认定〔2026〕88号", override_reason="测试")
    db.session.flush()
    return {"plan": plan, "apps": apps, "lab": lab, "venue": venue, "theory": theory, "practical": practical,
            "batch": batch}  # fmt: skip
