"""The batch plan document (认定实施计划): the read model, the PDF and the xlsx workbook."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from examsys.core.calendar import CalendarOverride
from examsys.core.db import db
from examsys.core.pdf import cjk_font_available
from examsys.core.permissions import Role
from examsys.core.timezone import from_local
from examsys.modules.catalog import operations as catalog
from examsys.modules.people.models import PersonKind
from examsys.modules.registration import operations as registration
from examsys.modules.registration.models import ApplicationStatus, Path
from examsys.modules.scheduling.models import (
    ExaminerCard,
    ExamPlan,
    ExamSession,
    Placement,
    PlanStatus,
    RoomKind,
    SessionKind,
    StaffAssignment,
    StaffRole,
)
from examsys.modules.scheduling.operations import create_lab, create_venue
from examsys.modules.scheduling.plan_documents import SHEET_TITLES, plan_pdf, plan_xlsx
from examsys.modules.scheduling.plan_report import compress_places, plan_sheet

OPEN = datetime(2026, 9, 1, tzinfo=UTC)
CLOSE = datetime(2026, 10, 31, tzinfo=UTC)
DURING = datetime(2026, 9, 15, tzinfo=UTC)
EXAM_DAY = date(2026, 11, 20)  # a Friday


def needs_cjk_font():
    if not cjk_font_available():
        # CI installs the font (make system-deps), so there a missing font is a failure, not a skip.
        if os.environ.get("CI"):
            pytest.fail("no CJK font installed: make system-deps should have installed fonts-noto-cjk")
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")


def font_names(page) -> set[str]:
    names = set()
    for ref in page["/Resources"].get("/Font", {}).values():
        font = ref.get_object()
        names.add(str(font.get("/BaseFont", "")))
        for descendant in font.get("/DescendantFonts", []):
            names.add(str(descendant.get_object().get("/BaseFont", "")))
    return names


def _user(make_user, role: Role, name: str):
    user = make_user(role)
    user.display_name = name
    return user


@pytest.fixture
def plan(db_session, make_college, make_major, make_person, make_user):
    """Two occupations at 四级, two theory sittings and one practical slot, staffed.

    电子商务师（网商）: 6 approved 商贸学院 students (+1 rejected), theory sitting 1 in L301.
    汽车维修工: 3 汽车学院 students and 1 member of the public, theory sitting 2 in L302 and
    the practical slot in the V01 workshop.
    """
    catalog.save_certification_body(
        name="郑州科技学院",
        centre_name="郑州科技学院职业技能等级认定中心",
        institution_code="S41000001",
        province_code="41",
        cert_letter="S",
    )
    trade = make_college(name="商贸学院")
    auto = make_college(name="汽车学院")
    ecommerce_major = make_major(college=trade, name="电子商务")
    auto_major = make_major(college=auto, name="汽车检测与维修技术")
    ecommerce = catalog.save_occupation(None, name="电子商务师", code="4-01-02-02", owner_college=trade)
    job_a = catalog.save_job(ecommerce.jobs[0], occupation=ecommerce, name="网商", levels=[4, 3],
                             majors=[ecommerce_major])  # fmt: skip
    repair = catalog.save_occupation(None, name="汽车维修工", code="4-12-01-01", owner_college=auto)
    job_b = catalog.save_job(repair.jobs[0], occupation=repair, name="", levels=[4], majors=[auto_major])

    def batch(job, college, name):
        data = registration.BatchData(name=name, job=job, level=4, path=Path.EXAM, college=college, opens_at=OPEN,
                                      closes_at=CLOSE, exam_date=EXAM_DAY)  # fmt: skip
        return registration.save_batch(None, data)

    batch_a, batch_b = batch(job_a, trade, "2026 秋 电子商务师"), batch(job_b, auto, "2026 秋 汽车维修工")
    apps_a = [registration.apply(batch_a, make_person(name=f"电商{i}", major=ecommerce_major), now=DURING)
              for i in range(7)]  # fmt: skip
    apps_b = [registration.apply(batch_b, make_person(name=f"汽修{i}", major=auto_major), now=DURING)
              for i in range(3)]  # fmt: skip
    apps_b.append(registration.apply(batch_b, make_person(name="社会考生", kind=PersonKind.PUBLIC), now=DURING))
    for application in apps_a[:6] + apps_b:
        application.status = ApplicationStatus.APPROVED
    apps_a[6].status = ApplicationStatus.REJECTED

    l301 = create_lab("L301", "东楼301机房", "东楼", 2, 4, subnet="10.20.1")
    l302 = create_lab("L302", "东楼302机房", "东楼", 2, 3, subnet="10.20.2")
    v01 = create_venue("V01", "汽车实训中心", RoomKind.PRACTICAL, 6, "举升机", [repair])
    db.session.flush()
    l302.seats[1].in_service = False  # A02 broken: the range runs over it

    def at(hour, minute):
        return from_local(datetime(EXAM_DAY.year, EXAM_DAY.month, EXAM_DAY.day, hour, minute))

    theory_1 = ExamSession(kind=SessionKind.THEORY, name="理论第一场", starts_at=at(8, 30), duration_minutes=90,
                           rooms=[l301])  # fmt: skip
    theory_2 = ExamSession(kind=SessionKind.THEORY, name="理论第二场", starts_at=at(10, 30), duration_minutes=90,
                           rooms=[l302])  # fmt: skip
    practical = ExamSession(kind=SessionKind.PRACTICAL, name="汽修实操", starts_at=at(14, 0), duration_minutes=180,
                            rooms=[v01])  # fmt: skip
    plan = ExamPlan(name="2026年第二批职业技能等级认定", status=PlanStatus.FILED, filed_on=date(2026, 11, 5),
                    batches=[batch_a, batch_b], sessions=[practical, theory_2, theory_1])  # fmt: skip
    db.session.add(plan)
    db.session.flush()

    seats_301 = {s.label: s for s in l301.seats}
    seats_302 = {s.label: s for s in l302.seats}
    for application, label in zip(apps_a[:6], ["A01", "A02", "A03", "A04", "B02", "B03"], strict=True):
        db.session.add(Placement(session=theory_1, application=application, room=l301, seat=seats_301[label]))
    for application, label in zip(apps_b, ["A01", "A03", "B01", "B02"], strict=True):
        db.session.add(Placement(session=theory_2, application=application, room=l302, seat=seats_302[label]))
    for application, station in zip(apps_b, v01.stations[:4], strict=True):
        db.session.add(Placement(session=practical, application=application, room=v01, station=station))

    proctors = [_user(make_user, Role.PROCTOR, n) for n in ("李监考", "王监考", "赵监考")]
    examiners = [_user(make_user, Role.EXAMINER, n) for n in ("周考评", "吴考评", "郑考评")]
    supervisor = _user(make_user, Role.SUPERVISOR, "陈督导")
    db.session.flush()
    staff = [
        (theory_1, l301, proctors[0], StaffRole.PROCTOR),
        (theory_1, l301, proctors[1], StaffRole.PROCTOR),
        (theory_2, l302, proctors[2], StaffRole.PROCTOR),
        (theory_2, l302, proctors[0], StaffRole.PROCTOR),
        *((practical, v01, e, StaffRole.EXAMINER) for e in examiners),
        (theory_1, None, supervisor, StaffRole.SUPERVISOR),
        (theory_2, None, supervisor, StaffRole.SUPERVISOR),
        (practical, None, supervisor, StaffRole.SUPERVISOR),
    ]
    for session, room, user, role in staff:
        db.session.add(StaffAssignment(session=session, room=room, user=user, role=role))
    for n, examiner in enumerate(examiners, start=1):
        valid_until = date(2026, 11, 1) if n == 3 else date(2027, 12, 31)  # the third card has lapsed
        db.session.add(ExaminerCard(user=examiner, number=f"KP41-2024-{n:04d}", occupation=repair, highest_level=3,
                                    issued_on=date(2024, 1, 10), valid_until=valid_until))  # fmt: skip
    db.session.flush()
    return plan


def test_compress_places_runs_over_the_room_order():
    order = [(1, "A01"), (2, "A02"), (3, "A03"), (4, "B01"), (5, "B02"), (6, "B03")]
    assert compress_places(order, [1, 2, 3, 4]) == "A01–B01"
    assert compress_places(order, [1, 3, 5, 6]) == "A01, A03, B02–B03"
    assert compress_places(order, []) == ""


def test_plan_sheet_numbers(plan):
    sheet = plan_sheet(plan)
    assert sheet["centre_name"] == "郑州科技学院职业技能等级认定中心"
    assert sheet["plan_name"] == "2026年第二批职业技能等级认定" and sheet["status_title"] == "已报备"

    # Schedule: in time order whatever order the sessions were added in, local times.
    schedule = sheet["schedule"]
    assert [s["name"] for s in schedule] == ["理论第一场", "理论第二场", "汽修实操"]
    first = schedule[0]
    assert (first["date"], first["weekday"], first["start"], first["end"]) == (EXAM_DAY, "星期五", "08:30", "10:00")
    assert first["kind_title"] == "理论考试" and first["rooms"] == ["L301"] and first["candidates"] == 6
    assert [(g["occupation"], g["job"], g["level_title"], g["candidates"]) for g in first["groups"]] == [
        ("电子商务师", "网商", "四级/中级工", 6)
    ]
    assert schedule[2]["kind_title"] == "技能操作" and (schedule[2]["start"], schedule[2]["end"]) == ("14:00", "17:00")
    assert schedule[2]["groups"][0]["label"] == "汽车维修工 四级/中级工" and schedule[2]["supervisors"] == ["陈督导"]

    # Room plan: seat ranges break at free seats, not at a broken one; spare = free usable places.
    rooms = {(r["session_name"], r["room_code"]): r for r in sheet["room_plan"]}
    l301 = rooms[("理论第一场", "L301")]
    assert (l301["candidates"], l301["capacity"], l301["spare"]) == (6, 8, 2)
    assert l301["places"] == "A01–A04, B02–B03"
    assert l301["building"] == "东楼" and l301["room_name"] == "东楼301机房"
    assert sorted(l301["proctors"]) == ["李监考", "王监考"] and l301["examiners"] == []
    l302 = rooms[("理论第二场", "L302")]
    assert (l302["candidates"], l302["capacity"], l302["spare"], l302["places"]) == (4, 5, 1, "A01–B02")
    v01 = rooms[("汽修实操", "V01")]
    assert (v01["candidates"], v01["capacity"], v01["spare"], v01["places"]) == (4, 6, 2, "001–004")
    assert sorted(v01["examiners"]) == ["吴考评", "周考评", "郑考评"] and v01["proctors"] == []

    # Occupation / level / head-count by college; the rejected application is not counted.
    rows = [
        (r["occupation_code"], r["occupation"], r["job"], r["level_title"], r["college"], r["approved"],
         r["placed_theory"], r["placed_practical"])
        for r in sheet["headcount"]
    ]  # fmt: skip
    assert rows == [
        ("4-01-02-02", "电子商务师", "网商", "四级/中级工", "商贸学院", 6, 6, 0),
        ("4-12-01-01", "汽车维修工", "", "四级/中级工", "汽车学院", 3, 3, 3),
        ("4-12-01-01", "汽车维修工", "", "四级/中级工", "社会人员", 1, 1, 1),
    ]

    # Staff: each person once, proctors first; examiner cards with validity on the exam day.
    staff = {p["name"]: p for p in sheet["staff"]}
    assert [p["role_keys"][0] for p in sheet["staff"]] == ["proctor"] * 3 + ["examiner"] * 3 + ["supervisor"]
    li = staff["李监考"]
    assert li["role_title"] == "监考员" and [(d["session_name"], d["room_code"]) for d in li["duties"]] == [
        ("理论第一场", "L301"),
        ("理论第二场", "L302"),
    ]
    assert [d["room_code"] for d in staff["陈督导"]["duties"]] == ["", "", ""]
    assert staff["周考评"]["cards"][0]["number"] == "KP41-2024-0001" and staff["周考评"]["cards"][0]["valid"]
    assert staff["郑考评"]["cards"][0]["valid_until"] == date(2026, 11, 1) and not staff["郑考评"]["cards"][0]["valid"]
    assert staff["李监考"]["cards"] == []

    totals = sheet["totals"]
    assert totals == {
        "sessions": 3,
        "theory_sessions": 2,
        "practical_sessions": 1,
        "rooms": 3,
        "room_sessions": 3,
        "capacity": 19,
        "placements": 14,
        "spare": 5,
        "approved": 10,
        "placed_theory": 10,
        "placed_practical": 4,
        "occupations": 2,
        "groups": 2,
        "staff": 7,
        "proctors": 3,
        "examiners": 3,
        "supervisors": 1,
    }


def test_filing_deadline_counts_working_days(plan):
    filing = plan_sheet(plan)["filing"]
    # 10 working days before Friday 20 November 2026, two weekends skipped (not 10 calendar days).
    assert filing["first_date"] == filing["last_date"] == EXAM_DAY
    assert filing["deadline"] == date(2026, 11, 6) and filing["lead_working_days"] == 10
    assert filing["deadline_provisional"] is False  # the calendar package knows 2026
    assert filing["filed_on"] == date(2026, 11, 5) and filing["filed_late"] is False
    # A day off declared by the province (an override) moves the deadline one working day earlier.
    db.session.add(CalendarOverride(day=date(2026, 11, 16), is_working_day=False, note="测试"))
    db.session.flush()
    filing = plan_sheet(plan)["filing"]
    assert filing["deadline"] == date(2026, 11, 5) and filing["filed_late"] is False
    plan.filed_on = date(2026, 11, 9)
    assert plan_sheet(plan)["filing"]["filed_late"] is True


def test_plan_sheet_queries_do_not_grow_with_the_plan(plan, db_session):
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db_session.get_bind()
    db_session.expire_all()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        plan_sheet(db_session.get(ExamPlan, plan.id))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 20, len(statements)


def test_plan_pdf_in_chinese_with_the_sections(plan):
    needs_cjk_font()
    reader = PdfReader(io.BytesIO(plan_pdf(plan)))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "职业技能等级认定实施计划",
        "郑州科技学院职业技能等级认定中心",
        "一、考试日程",
        "二、考场安排",
        "三、职业（工种）等级及人数",
        "四、考务人员",
        "L301",
        "L302",
        "V01",
        "A01–A04,B02–B03",
        "电子商务师",
        "汽车维修工",
        "四级/中级工",
        "李监考",
        "王监考",
        "周考评",
        "陈督导",
        "KP41-2024-0001",
        "认定机构（盖章）",
        "日期",
        "第1页",
    ):
        assert expected in text, expected
    fonts = set().union(*(font_names(page) for page in reader.pages))
    assert any("CJK" in name or "WenQuanYi" in name or "ZenHei" in name for name in fonts), fonts
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape


def test_plan_xlsx_has_the_four_sheets(plan):
    workbook = load_workbook(io.BytesIO(plan_xlsx(plan)))
    assert tuple(workbook.sheetnames) == SHEET_TITLES == ("考试日程", "考场安排", "职业等级人数", "考务人员")
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])

    schedule = list(workbook["考试日程"].iter_rows(values_only=True))
    assert schedule[0][:4] == ("序号", "日期", "星期", "开始")
    assert [(r[6], r[3], r[4], r[8], r[10]) for r in schedule[1:4]] == [
        ("理论第一场", "08:30", "10:00", "L301", 6),
        ("理论第二场", "10:30", "12:00", "L302", 4),
        ("汽修实操", "14:00", "17:00", "V01", 4),
    ]
    assert schedule[1][1].date() == EXAM_DAY and schedule[-1][0] == "合计" and schedule[-1][10] == 14

    rooms = list(workbook["考场安排"].iter_rows(values_only=True))
    assert [(r[5], r[9], r[10], r[11]) for r in rooms[1:4]] == [
        ("L301", 6, "A01–A04, B02–B03", 2),
        ("L302", 4, "A01–B02", 1),
        ("V01", 4, "001–004", 2),
    ]
    assert "李监考" in rooms[1][13] and "王监考" in rooms[1][13] and "周考评" in rooms[3][14]

    headcount = list(workbook["职业等级人数"].iter_rows(values_only=True))
    assert headcount[1][1:] == ("4-01-02-02", "电子商务师", "网商", "四级/中级工", "商贸学院", 6, 6, 0)
    assert headcount[-1] == ("合计", None, None, None, None, None, 10, 10, 4)

    staff = list(workbook["考务人员"].iter_rows(values_only=True))
    assert len(staff) == 1 + 7 + 1
    by_name = {r[1]: r for r in staff[1:-1]}
    assert by_name["李监考"][2:4] == ("监考员", 2) and "L302" in by_name["李监考"][4]
    assert by_name["周考评"][5] == "KP41-2024-0001" and by_name["周考评"][6] == "2024-01-10 至 2027-12-31"
    assert by_name["陈督导"][2] == "督导员" and "全场" in by_name["陈督导"][4]
    assert workbook["考场安排"].column_dimensions["M"].width > 10


def test_an_empty_draft_plan_still_renders(db_session):
    plan = ExamPlan(name="空计划")
    db.session.add(plan)
    db.session.flush()
    sheet = plan_sheet(plan)
    assert sheet["status"] == "draft" and sheet["centre_name"] == ""
    assert sheet["schedule"] == sheet["room_plan"] == sheet["headcount"] == sheet["staff"] == []
    assert sheet["filing"]["first_date"] is None and sheet["filing"]["deadline"] is None
    assert sheet["totals"]["approved"] == 0 and sheet["totals"]["sessions"] == 0
    workbook = load_workbook(io.BytesIO(plan_xlsx(plan)))
    assert [ws.max_row for ws in workbook.worksheets] == [2, 2, 2, 2]  # header and the total row
    if cjk_font_available():
        text = "".join(PdfReader(io.BytesIO(plan_pdf(plan))).pages[0].extract_text().split())
        assert "尚未安排考试场次" in text and "职业技能等级认定实施计划" in text
