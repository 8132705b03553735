"""The demo school: complete, consistent with the shared facts, and idempotent."""

import csv
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader

from examsys.core.audit import acting_as
from examsys.core.config import PROJECT_ROOT
from examsys.core.db import db
from examsys.core.ids import validate_resident_id
from examsys.core.media import resolve
from examsys.core.pdf import cjk_font_available
from examsys.core.permissions import Role
from examsys.modules.accounts.models import User
from examsys.modules.catalog.models import College, Occupation
from examsys.modules.demo import school
from examsys.modules.demo.operations import load_demo
from examsys.modules.documents import queue
from examsys.modules.documents.models import JobStatus
from examsys.modules.people.models import Person, PersonKind
from examsys.modules.scheduling.models import ExamPlan, PlanStatus, Room, RoomKind
from examsys.modules.tickets import operations as tickets
from examsys.modules.tickets import rendering, signing
from examsys.web.nav import NAV_ITEMS, navigation_for


@pytest.fixture
def demo(db_session):
    with acting_as("test"):
        return load_demo(candidates=48, public=2, photos=True)


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_creates_a_whole_school(demo):
    _school_shape()
    _occupations_have_majors_and_owners()
    _venues_match_facilities_csv()
    _people_have_valid_ids_photos_and_classes()
    _there_is_an_account_for_every_role()


def _there_is_an_account_for_every_role():
    roles = set()
    for user in db.session.scalars(sa.select(User)):
        roles |= user.roles
    assert roles == set(Role)


def _school_shape():
    assert _count(College) >= 3
    assert _count(Person, Person.kind == PersonKind.STUDENT) == 48
    assert _count(Person, Person.kind == PersonKind.PUBLIC) == 2
    labs = db.session.scalars(sa.select(Room).where(Room.kind == RoomKind.THEORY_LAB)).all()
    assert len(labs) == 14 and sum(lab.capacity for lab in labs) >= 600
    for lab in labs:
        assert lab.rows * lab.cols == len(lab.seats)
        assert len({s.ip for s in lab.seats}) == len(lab.seats) and lab.front_camera and lab.back_camera


def _occupations_have_majors_and_owners():
    for occupation in db.session.scalars(sa.select(Occupation).where(Occupation.code != "")):
        majors = [m for job in occupation.jobs for m in job.majors]
        assert majors, occupation.name
        assert occupation.owner_college is not None, occupation.name


def _venues_match_facilities_csv():
    rows = list(csv.DictReader((PROJECT_ROOT / "examsys/data/facilities.csv").open(encoding="utf-8")))
    venues = {r.name: r for r in db.session.scalars(sa.select(Room).where(Room.kind != RoomKind.THEORY_LAB))}
    for row in rows:
        if row["kind"] in {"practical", "outdoor"} and row["stations"].isdigit() and not row["venue"].startswith("ALL"):
            match = next(v for name, v in venues.items() if name.startswith(row["venue"]))
            assert len(match.stations) == int(row["stations"]), row["venue"]
            assert {o.name for o in match.occupations} == set(row["occupations"].split(";"))


def _people_have_valid_ids_photos_and_classes():
    for person in db.session.scalars(sa.select(Person)):
        result = validate_resident_id(person.primary_document.number)
        assert result.gender == person.gender.value and result.birth_date == person.birth_date
        photo = resolve(person.photo_path)
        with Image.open(photo) as image:
            assert image.format == "JPEG" and image.height > image.width
        assert 50_000 <= Path(photo).stat().st_size <= 200_000
        if person.kind is PersonKind.STUDENT:
            assert person.major.college_id == person.college_id and person.class_name and person.student_no


def test_demo_load_is_idempotent(demo):
    before = {m.__name__: _count(m) for m in (College, Person, Room, User, Occupation)}
    with acting_as("test"):
        again = load_demo(candidates=48, public=2, photos=True)
    assert again.created == {}
    assert {m.__name__: _count(m) for m in (College, Person, Room, User, Occupation)} == before


def test_each_demo_login_sees_its_own_navigation(app, demo):
    for username in [u for u, *_ in school.STAFF_ACCOUNTS] + ["candidate"]:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": school.DEMO_PASSWORD})
        assert response.status_code == 302, username
        page = client.get("/", follow_redirects=True).get_data(as_text=True)
        nav = page.split('class="mainnav"')[1].split("</nav>")[0]
        expected = {str(item.label) for item in navigation_for(user)}
        assert expected, username
        for item in NAV_ITEMS:
            assert (f">{item.label}</a>" in nav) == (str(item.label) in expected), (username, str(item.label))


def test_cli_demo_load_reports_what_it_created(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--candidates", "6", "--no-photos"])
    assert result.exit_code == 0, result.output
    assert "students=6" in result.output and "admin" in result.output


def test_the_command_loads_at_least_1200_candidates_by_default():
    from examsys.cli.demo import demo_cli

    params = {p.name: p.default for p in demo_cli.commands["load"].params}
    assert params["candidates"] >= 1200 and params["photos"] is True


def test_demo_loads_the_shipped_banks_with_a_feasible_blueprint(demo):
    from examsys.modules.banks import assembly
    from examsys.modules.banks import blueprints as bank_blueprints
    from examsys.modules.banks import util as bank_util
    from examsys.modules.catalog.util import find_job
    from examsys.modules.demo.banks import manifest

    assert manifest(), "question_banks/manifest.json lists the shipped banks"
    for entry in manifest():
        job = find_job(entry["code"], entry["job"])
        assert len(bank_util.bank_items(job.id, entry["level"])) >= 80, entry["file"]
        (blueprint,) = bank_util.blueprints(job.id, entry["level"])
        assert bank_blueprints.feasibility(blueprint) == [], entry["file"]
        forms = assembly.build_forms(blueprint, 2, seed=1)  # two parallel forms within the overlap bound
        assert len(forms[0].item_ids) == 100 and len(forms[0].item_ids & forms[1].item_ids) <= 30


def test_demo_has_an_open_batch_with_registered_students(demo):
    from examsys.modules.registration.models import Application, ApplicationStatus, Batch

    batch = db.session.scalars(sa.select(Batch).order_by(Batch.id)).first()
    applications = db.session.scalars(sa.select(Application).where(Application.batch_id == batch.id)).all()
    assert batch.job.occupation.name == "电子商务师" and applications
    assert all(a.person.major in batch.job.majors for a in applications)
    assert all(a.status is ApplicationStatus.SUBMITTED for a in applications)


def test_demo_plan_seats_every_approved_candidate_in_the_labs(demo):
    from examsys.modules.scheduling import seating, util
    from examsys.modules.scheduling.models import ExamPlan

    plan = db.session.scalars(sa.select(ExamPlan)).one()
    approved = util.approved_applications(plan)
    assert approved and len(plan.batches) > 1
    allocation, _labs, _sittings = seating.current_allocation(plan)
    assert len(allocation.placements) == len(approved) and not allocation.unplaced
    assert allocation.warnings == []  # spares kept, no classmates side by side, forms alternate
    first = plan.first_session_date
    assert first is not None and plans_deadline_is_ahead(plan)


def plans_deadline_is_ahead(plan) -> bool:
    from examsys.core.db import utcnow
    from examsys.modules.scheduling import plans

    return plans.filing_check(plan).deadline >= utcnow().date()


@pytest.mark.skipif(not cjk_font_available(), reason="no CJK font installed (make system-deps)")
def test_demo_plan_tickets_come_out_as_one_pdf_with_every_candidate_room_and_seat(demo):
    plan = db.session.scalars(sa.select(ExamPlan)).one()
    assert plan.status is PlanStatus.APPROVED  # filed and approved on load, so its tickets exist
    index, issued = rendering.select(plan)
    assert issued and len(issued) == len(index.placements)
    job = queue.enqueue("tickets", {"plan_id": plan.id}, "准考证")
    queue.run_pending()
    db.session.refresh(job)
    assert job.status is JobStatus.DONE
    pages = [p.extract_text() for p in PdfReader(BytesIO(resolve(job.result_path).read_bytes())).pages]
    assert len(pages) == len(issued)
    for text, ticket in zip(pages, issued, strict=True):
        home = index.home(ticket.application_id)
        assert ticket.application.person.name in text and ticket.number in text
        assert home.room.code in text and f"{home.seat.label} 号座" in text and "准考证" in text
    first = issued[0]
    assert tickets.verify(signing.sign(first.id, first.number, first.version)).ticket.id == first.id
