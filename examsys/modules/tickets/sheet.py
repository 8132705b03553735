"""Plain dicts for the ticket and room-paper templates (no ORM objects reach a template).

Printed documents are Chinese whatever the UI language: they go to the candidates and the
provincial centre, so the titles here are built under the Chinese locale.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from urllib.parse import quote

from flask_babel import force_locale

from examsys.core.ids import mask_number
from examsys.core.timezone import to_local
from examsys.modules.catalog import util as catalog_util
from examsys.modules.catalog.models import LEVEL_NAMES
from examsys.modules.people.models import Person
from examsys.modules.scheduling.models import ExamSession, Placement, SessionKind
from examsys.modules.tickets import signing
from examsys.modules.tickets.models import Ticket, TicketLayout
from examsys.modules.tickets.util import PlanIndex

WEEKDAYS = "一二三四五六日"
DEFAULT_RULES = (
    "考生凭准考证和有效身份证件参加考试，证件不全者不得入场。",
    "理论考试开考 15 分钟后不得入场；开考 30 分钟内不得交卷离场。",
    "考生按准考证指定的考场、座位（工位）就座，不得擅自调换。",
    "除规定的文具外，不得携带手机、智能手表等电子设备和任何资料进入考场。",
    "机考过程中不得关闭、刷新或切换考试页面；计算机故障请举手示意监考员。",
    "技能操作须遵守安全操作规程，违反安全规定者由考评员中止考试。",
    "考试中如有违纪、作弊行为，按《职业技能等级认定考务管理规定》处理。",
)


def centre_name() -> str:
    body = catalog_util.certification_body()
    return (body.centre_name or body.name) if body else ""


def level_label(level: int) -> str:
    name, title, _english = LEVEL_NAMES[level]
    return f"{name}/{title}"


def time_range(session: ExamSession) -> str:
    return f"{to_local(session.starts_at):%H:%M}–{to_local(session.ends_at):%H:%M}"


def long_date(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local:%Y年%m月%d日} 星期{WEEKDAYS[local.weekday()]}"


def place_label(p: Placement) -> str:
    return f"{p.seat.label} 号座" if p.seat is not None else f"{p.station.label} 工位"


def session_line(p: Placement) -> dict:
    s = p.session
    return {
        "kind": "理论考试" if s.kind is SessionKind.THEORY else "技能操作",
        "name": s.name,
        "date": long_date(s.starts_at),
        "time": time_range(s),
        "room": f"{p.room.code} {p.room.name}",
        "building": "" if p.room.building and p.room.building in p.room.name else p.room.building,
        "place": place_label(p),
    }


def photo_url(person: Person) -> str | None:
    path = (person.photo_variants or {}).get("ticket") or person.photo_path
    return f"media:{path}" if path else None


def id_line(person: Person, mask: bool) -> tuple[str, str]:
    doc = person.primary_document
    if doc is None:
        return "", ""
    with force_locale("zh_Hans_CN"):
        title = str(doc.doc_type.title)
    return title, mask_number(doc.number) if mask else doc.number


def ticket_fields(ticket: Ticket, index: PlanIndex, layout: TicketLayout) -> dict:
    """What the ticket prints, except its QR code: the fingerprint is taken over exactly this."""
    application = ticket.application
    person, batch = application.person, application.batch
    id_type, id_number = id_line(person, layout.mask_id_number)
    return {
        "number": ticket.number,
        "name": person.name,
        "gender": "男" if person.gender.value == "M" else "女",
        "id_type": id_type,
        "id_number": id_number,
        "occupation": batch.job.occupation.name,
        "job": batch.job.name or "—",
        "level": level_label(batch.level),
        "photo": photo_url(person),
        "sessions": [session_line(p) for p in index.placements.get(application.id, [])],
    }


def fingerprint(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def ticket_page(ticket: Ticket, index: PlanIndex, layout: TicketLayout) -> dict:
    fields = ticket_fields(ticket, index, layout)
    code = signing.sign(ticket.id, ticket.number, ticket.version)
    return {**fields, "version": ticket.version, "qr": "qr:" + quote(code, safe="")}


def document_frame(layout: TicketLayout, plan_name: str) -> dict:
    """What every page of a ticket document shares: centre, seal, plan, rules, page size."""
    rules = [line.strip() for line in (layout.rules or "").splitlines() if line.strip()] or list(DEFAULT_RULES)
    return {
        "centre": centre_name(),
        "plan": plan_name,
        "seal": f"media:{layout.seal_path}" if layout.seal_path else None,
        "rules": rules,
        "page_size": layout.page_size.value,
    }
