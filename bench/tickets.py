"""Benchmark: admission tickets as one PDF, against WeasyPrint's raw speed for the same page.

    .venv/bin/python bench/tickets.py [--tickets 600] [--workers 2]

Sets up the demo school (its approved plan is ticketed on load: about 900 candidates with
photos, 14 labs), then times, for the first ``--tickets`` tickets in number order:

* raw WeasyPrint: the same ticket page laid out alone (per page), and 100 pages as one
  document in one process (per page) - the floor our pipeline stands on;
* ours: ``rendering.tickets_pdf`` end to end (data, QR codes, HTML, layout in ``--workers``
  processes, merge) with an empty page cache, with peak memory of the parent and a worker;
* ours again after one seat move, with the page cache: only the changed chunk is laid out.

The issue's target: 600 tickets in under 20 s on this 2-core machine, under 1 GiB.
Writes bench/results/tickets-<backend>.json.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import render_template  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from bench.common import default_url, fresh_app, save_result  # noqa: E402
from examsys.core import media  # noqa: E402
from examsys.core.db import db  # noqa: E402
from examsys.core.pdf import url_fetcher_for_app  # noqa: E402
from examsys.modules.demo.exam_plan import PLAN_NAME  # noqa: E402
from examsys.modules.demo.operations import load_demo  # noqa: E402
from examsys.modules.scheduling import seating  # noqa: E402
from examsys.modules.scheduling import util as scheduling_util  # noqa: E402
from examsys.modules.scheduling.models import ExamPlan  # noqa: E402
from examsys.modules.tickets import rendering, sheet, util  # noqa: E402


def rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def raw_weasyprint(plan, index, tickets) -> dict:
    layout = util.layout()
    frame = sheet.document_frame(layout, plan.name)
    pages = [sheet.ticket_page(t, index, layout) for t in tickets[:100]]
    fetcher = url_fetcher_for_app()
    one = render_template(rendering.TEMPLATE, frame=frame, tickets=pages[:1])
    HTML(string=one, url_fetcher=fetcher).write_pdf()  # warm the font cache
    started = time.perf_counter()
    for _ in range(5):
        HTML(string=one, url_fetcher=fetcher).write_pdf()
    single = (time.perf_counter() - started) / 5
    hundred = render_template(rendering.TEMPLATE, frame=frame, tickets=pages)
    started = time.perf_counter()
    HTML(string=hundred, url_fetcher=fetcher).write_pdf()
    batch = (time.perf_counter() - started) / len(pages)
    return {"one_ticket_alone_s": round(single, 3), "per_page_in_100_page_document_s": round(batch, 4)}


def ours(plan, count: int) -> dict:
    index, tickets = rendering.select(plan)
    tickets = tickets[:count]
    started = time.perf_counter()
    pdf = rendering.tickets_pdf(plan, index, tickets)
    seconds = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {"tickets": len(tickets), "pages": pages, "seconds": round(seconds, 2),
            "pages_per_second": round(pages / seconds, 1), "pdf_mib": round(len(pdf) / 2**20, 1)}  # fmt: skip


def after_one_move(plan, count: int) -> dict:
    index, tickets = rendering.select(plan)
    first = tickets[0]
    placement = next(p for p in index.placements[first.application_id] if p.seat_id is not None)
    taken = {p.seat_id for p in scheduling_util.session_placements(placement.session, placement.room)}
    free = next(s for s in placement.room.seats if s.in_service and s.id not in taken)
    seating.move_to_seat(placement, placement.session, free, reason="基准：机器故障")
    index, tickets = rendering.select(plan)
    started = time.perf_counter()
    rendering.tickets_pdf(plan, index, tickets[:count])
    return {"seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=default_url())
    parser.add_argument("--tickets", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    app = fresh_app(args.url)
    app.config["PDF_WORKERS"] = args.workers
    with app.app_context():
        started = time.perf_counter()
        load_demo()
        setup = time.perf_counter() - started
        plan = db.session.scalar(sa.select(ExamPlan).where(ExamPlan.name == PLAN_NAME))
        index, tickets = rendering.select(plan)
        raw = raw_weasyprint(plan, index, tickets)
        shutil.rmtree(media.media_root() / "pdf-cache", ignore_errors=True)
        cold = ours(plan, args.tickets)
        warm = after_one_move(plan, args.tickets)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "setup_demo_s": round(setup, 1),
            "workers": args.workers,
            "chunk": rendering.CHUNK,
            "raw_weasyprint": raw,
            "ours_cold": cold,
            "ours_after_one_seat_move_with_page_cache": warm,
            "peak_rss_mib": {
                "parent": round(rss_mib(resource.RUSAGE_SELF)),
                "largest_worker": round(rss_mib(resource.RUSAGE_CHILDREN)),
            },
        }
        report["overhead_vs_raw_per_page"] = round(
            cold["seconds"] * args.workers / cold["pages"] / raw["per_page_in_100_page_document_s"], 2
        )
        report["target"] = {"600_tickets_under_s": 20, "memory_under_mib": 1024}
        report["meets_target"] = cold["seconds"] < 20 and max(report["peak_rss_mib"].values()) < 1024
    save_result("tickets", args.url, report)


if __name__ == "__main__":
    main()
