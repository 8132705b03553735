"""Ticket numbers, the ticket PDF, its signed QR code, reprints and the exam-day room papers."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.pdf import cjk_font_available
from examsys.modules.registration.models import ApplicationStatus
from examsys.modules.scheduling import practical_seating, seating
from examsys.modules.scheduling.models import Placement, Seat
from examsys.modules.tickets import numbering, operations, rendering, room_papers, signing, util
from examsys.modules.tickets.models import DEFAULT_NUMBER_FORMAT, TicketStatus

needs_cjk = pytest.mark.skipif(not cjk_font_available(), reason="no CJK font installed (make system-deps)")


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def decode_qr(png: bytes) -> str:
    """Read a QR code the way a phone or scanner would; OpenCV's classic detector alone misses
    about 1 code in 100 at one scale, so a few scales and its ArUco-based detector are tried."""
    source = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    for pad, scale in ((8, 8), (4, 6), (12, 10), (2, 12)):
        image = cv2.copyMakeBorder(source, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text = detector.detectAndDecode(image)[0]
            if text:
                return text
    return ""


def theory_placement(app):
    return db.session.scalar(
        sa.select(Placement).where(Placement.application_id == app.id, Placement.seat_id.is_not(None))
    )


# ------------------------------------------------------------------ numbers


def test_numbers_read_year_plan_room_and_seat_and_are_unique(ticket_plan):
    plan = ticket_plan["plan"]
    result = operations.issue(plan)
    assert result.issued == 12 and result.withdrawn == 0
    _index, tickets = rendering.select(plan)
    assert len({t.number for t in tickets}) == 12
    for t in tickets:
        p = theory_placement(t.application)
        seat_no = (p.seat.row - 1) * ticket_plan["lab"].cols + p.seat.col
        assert t.number == f"2026{plan.id:03d}01{seat_no:02d}"  # the lab is the plan's room 1


def test_numbers_are_stable_after_a_move_and_a_late_addition_never_reuses_one(ticket_plan, enrol):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    first = {t.application_id: t.number for t in util.plan_tickets(plan)}
    mover = ticket_plan["apps"][0]
    old_seat = theory_placement(mover).seat
    spare = db.session.scalar(sa.select(Seat).where(Seat.room_id == ticket_plan["lab"].id, Seat.label == "D05"))
    seating.move_to_seat(theory_placement(mover), ticket_plan["theory"], spare, reason="机器故障")
    late = enrol(ticket_plan["batch"], {"24电商1班": 1})[0]
    seating.allocate_theory(plan, reason="补报考生")
    late_seat = theory_placement(late).seat
    result = operations.issue(plan)
    assert result.issued == 1 and result.kept == 12 and result.stale == 1  # the mover's paper is stale
    now = {t.application_id: t.number for t in util.plan_tickets(plan)}
    assert {a: now[a] for a in first} == first  # nobody's number changed
    if late_seat.id == old_seat.id:  # the late one took the mover's old seat: its number is taken
        assert now[late.id] == f"2026{plan.id:03d}9901"
    assert len(set(now.values())) == 13


def test_a_candidate_who_leaves_the_plan_has_the_ticket_withdrawn_not_renumbered(ticket_plan):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    leaver = ticket_plan["apps"][3]
    number = util.ticket_of(leaver).number
    leaver.status = ApplicationStatus.REJECTED
    seating.allocate_theory(plan, reason="考生放弃")
    practical_seating.allocate_practical(plan, reason="考生放弃")
    result = operations.issue(plan)
    assert result.withdrawn == 1
    ticket = util.ticket_of(leaver)
    assert ticket.status is TicketStatus.WITHDRAWN and ticket.number == number
    assert util.find_ticket(number) is None


@pytest.mark.parametrize(
    ("fmt", "message"),
    [("{year}{plan}{desk}", "未知字段"), ("{year}{plan:03d}{room:02d}", "{seq}"), ("{year}{seq:", "格式有误"),
     ("{seq:050d}", "过长")],
)  # fmt: skip
def test_a_bad_number_format_is_refused_with_the_reason(app, fmt, message):
    with app.test_request_context(), pytest.raises(DomainError) as error:
        numbering.check_format(fmt)
    assert message in str(error.value)


def test_tickets_wait_for_the_provinces_approval(make_plan, make_exam_batch):
    plan = make_plan(batches=[make_exam_batch()])
    with pytest.raises(DomainError, match="获批"):
        operations.issue(plan)


# ------------------------------------------------------------------ the PDF


@needs_cjk
def test_the_batch_pdf_has_one_page_per_candidate_with_name_number_room_and_seat(ticket_plan):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    index, tickets = rendering.select(plan)
    pdf = rendering.tickets_pdf(plan, index, tickets)
    texts = pages_text(pdf)
    assert len(texts) == len(tickets) == 12
    for text, ticket in zip(texts, tickets, strict=True):
        p = theory_placement(ticket.application)
        assert ticket.application.person.name in text and ticket.number in text
        assert "准考证" in text and "J101" in text and f"{p.seat.label} 号座" in text
        assert "工位" in text and "P-DS" in text  # the practical slot's station
        assert "四级/中级工" in text and "********" in text  # ID number masked by default
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages[:1]
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    assert any("CJK" in f or "WenQuanYi" in f for f in fonts)
    images = reader.pages[0].images
    photo = max(images, key=lambda i: i.image.size[0] * i.image.size[1])
    assert photo.image.size[0] >= 295  # the 1-inch photo at full resolution, not a thumbnail


@needs_cjk
def test_the_seal_is_printed_and_a4_is_an_option(ticket_plan):
    from PIL import Image, ImageDraw

    seal = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(seal).ellipse((10, 10, 290, 290), outline=(220, 0, 0, 255), width=12)
    out = io.BytesIO()
    seal.save(out, format="PNG")
    operations.set_seal(out.getvalue())
    operations.update_layout(page_size="A4", number_format=DEFAULT_NUMBER_FORMAT, mask_id_number=False,
                             rules="带好身份证\n提前 30 分钟到场")  # fmt: skip
    plan = ticket_plan["plan"]
    operations.issue(plan)
    ticket = util.plan_tickets(plan)[0]
    reader = PdfReader(io.BytesIO(rendering.ticket_pdf(ticket)))
    page = reader.pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 210  # A4 portrait
    assert len(page.images) >= 3  # photo, seal, QR code
    text = page.extract_text()
    doc = ticket.application.person.primary_document
    assert doc.number in text and "带好身份证" in text


@pytest.mark.parametrize(("data", "message"), [(b"", "请选择"), (b"not an image", "无法识别"), (None, "PNG")])
def test_a_bad_seal_is_refused(app, data, message):
    if data is None:
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (300, 300), "red").save(out, format="JPEG")
        data = out.getvalue()
    with app.test_request_context(), pytest.raises(DomainError, match=message):
        operations.set_seal(data)


# ------------------------------------------------------------------ the QR code


@needs_cjk
def test_the_ticket_qr_decodes_verifies_and_a_changed_byte_is_refused(ticket_plan):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    ticket = util.plan_tickets(plan)[0]
    page = PdfReader(io.BytesIO(rendering.ticket_pdf(ticket))).pages[0]
    codes = [decode_qr(image.data) for image in page.images]
    code = next(c for c in codes if c)
    verified = operations.verify(code)
    assert verified.ticket.id == ticket.id and verified.page["name"] == ticket.application.person.name
    assert verified.page["sessions"][0]["room"].startswith("J101")
    for position in (5, len(code) // 2, len(code) - 3):
        altered = code[:position] + ("A" if code[position] != "A" else "B") + code[position + 1 :]
        with pytest.raises(DomainError, match="二维码无效"):
            operations.verify(altered)
    forged = signing.URLSafeSerializer("someone-else", salt=signing.SALT).dumps([ticket.id, ticket.number, 1])
    with pytest.raises(DomainError, match="二维码无效"):
        operations.verify(forged)


def test_a_reprint_voids_the_old_code_in_the_audit_log(ticket_plan):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    ticket = util.plan_tickets(plan)[0]
    old_code = signing.sign(ticket.id, ticket.number, ticket.version)
    operations.reprint(ticket, "座位调整")
    assert ticket.version == 2
    with pytest.raises(DomainError, match="旧版本"):
        operations.verify(old_code)
    assert operations.verify(signing.sign(ticket.id, ticket.number, 2)).ticket.id == ticket.id
    void = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "ticket.void"))
    assert void.object_id == str(ticket.id) and '"version": 1' in void.before
    with pytest.raises(DomainError, match="原因"):
        operations.reprint(ticket, " ")


def test_a_stale_ticket_is_listed_after_a_seat_move(ticket_plan):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    assert operations.stale_tickets(plan) == []
    mover = ticket_plan["apps"][1]
    spare = db.session.scalar(sa.select(Seat).where(Seat.room_id == ticket_plan["lab"].id, Seat.label == "D05"))
    seating.move_to_seat(theory_placement(mover), ticket_plan["theory"], spare, reason="机器故障")
    stale = operations.stale_tickets(plan)
    assert [t.application_id for t in stale] == [mover.id]
    operations.reprint(stale[0], "座位调整")
    assert operations.stale_tickets(plan) == []


# ------------------------------------------------------------------ room papers


@needs_cjk
@pytest.mark.parametrize("which", ["theory", "practical"])
def test_every_room_of_a_session_has_door_sign_labels_sign_in_sheet_and_seat_plan(ticket_plan, which):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    session = ticket_plan[which]
    numbers = {t.application_id: t.number for t in util.plan_tickets(plan)}
    for room in session.rooms:
        placed = [p for p in db.session.scalars(sa.select(Placement).where(
            Placement.session_id == session.id, Placement.room_id == room.id))]  # fmt: skip
        for paper in room_papers.PAPERS:
            text = "\n".join(pages_text(room_papers.papers_pdf(session, [room], (paper,))))
            assert room.code in text, paper
            if paper == "door":
                assert f"共 {len(placed)} 人" in text and "电子商务师" in text
            else:
                for p in placed:
                    assert p.application.person.name in text, (paper, p.application.person.name)
                    assert numbers[p.application_id] in text, paper
        if which == "theory":
            signin = "\n".join(pages_text(room_papers.papers_pdf(session, [room], ("signin",))))
            assert "签名" in signin and "缺考" in signin and "应到 12" in signin
