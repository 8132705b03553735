"""The demo plan filed, approved by the province and ticketed, with a drawn seal for the centre.

The seal is drawn here (a red ring, a star and the centre's name round the rim) so the demo's
tickets show one; a real centre uploads a scan of its own seal on the ticket settings page.
"""

from __future__ import annotations

import io
import math
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont

from examsys.core.db import utcnow
from examsys.core.timezone import local_date
from examsys.modules.scheduling import plans
from examsys.modules.scheduling.models import ExamPlan, PlanStatus
from examsys.modules.tickets import operations, sheet, util

SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
RED = (214, 24, 32, 235)


def draw_seal(text: str, size: int = 600) -> bytes:
    """A round official-style seal as a transparent PNG."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c, ring = size / 2, size * 0.035
    draw.ellipse((ring, ring, size - ring, size - ring), outline=RED, width=int(ring))
    star = [(c + size * (0.17 if i % 2 == 0 else 0.068) * math.sin(math.pi * i / 5),
             c - size * (0.17 if i % 2 == 0 else 0.068) * math.cos(math.pi * i / 5)) for i in range(10)]  # fmt: skip
    draw.polygon(star, fill=RED)
    try:
        font = ImageFont.truetype(SEAL_FONT, int(size * 0.085))
    except OSError:  # no CJK font on this machine: the ring and star alone
        return _png(image)
    text = text[:16]
    span = math.radians(250)
    for i, char in enumerate(text):
        angle = -span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), char, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        r = size * 0.36
        x, y = c + r * math.sin(angle), c - r * math.cos(angle)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def ticket_the_plan(plan: ExamPlan) -> int:
    """File today, approved the next day, tickets issued and released; returns the tickets issued."""
    if not util.layout().seal_path:
        operations.set_seal(draw_seal(sheet.centre_name() or "职业技能等级认定中心"))
    if plan.status is PlanStatus.DRAFT:
        today = local_date(utcnow())
        plans.file_plan(plan, today)
        plans.approve_plan(plan, today + timedelta(days=1), "粤人社技能认定〔2026〕第 17 号")
    issued = operations.issue(plan).issued
    operations.release(plan, None)
    return issued
