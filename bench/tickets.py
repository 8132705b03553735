"""Benchmark: admission tickets as one PDF, against WeasyPrint's raw speed for the same page.

    .venv/bin/python bench/tickets.py [--tickets 600] [--workers 2]
    .venv/bin/python bench/tickets.py --url sqlite:////path/demo.db --existing-media /path/media  # skip the set-up

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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pikepdf  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from weasyprint import HTML  # noqa: E402

from bench.common import default_url, fresh_app, save_result  # noqa: E402
from examsys import create_app  # noqa: E402
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


class MemoryWatch(threading.Thread):
    """Samples the memory (PSS) of every process below this one (the PDF fork server's workers are
    its children, not ours, so getrusage cannot see them): the largest worker and the total."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.largest_worker = self.total = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            sizes = {pid: rss for pid, rss in _descendants(os.getpid())}
            if sizes:
                self.largest_worker = max(self.largest_worker, *sizes.values())
            self.total = max(self.total, sum(sizes.values()) + _rss(os.getpid()))


def _rss(pid: int) -> float:
    """Proportional set size: pages shared with the fork server (and each other) counted once."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _descendants(root: int):
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor and ancestor != root:
            ancestor = parents.get(ancestor)
        if ancestor == root:
            yield pid, _rss(pid)


def raw_weasyprint(plan, index, tickets) -> dict:
    """WeasyPrint alone on the same pages: the frame laid out once plus 100 candidates' values in
    one document (no data, QR or merge), and one whole ticket as its own document."""
    layout = util.layout()
    frame = sheet.document_frame(layout, plan.name)
    pages = [sheet.ticket_page(t, index, layout) for t in tickets[:100]]
    fetcher = url_fetcher_for_app()
    lay_out = lambda html: HTML(string=html, url_fetcher=fetcher).write_pdf()  # noqa: E731
    frame_html, one = rendering.frame_html(frame), rendering.values_html(frame, pages[:1])
    lay_out(one)  # warm the font cache
    started = time.perf_counter()
    for _ in range(5):
        lay_out(frame_html), lay_out(one)
    single = (time.perf_counter() - started) / 5
    hundred = rendering.values_html(frame, pages)
    started = time.perf_counter()
    lay_out(frame_html), lay_out(hundred)
    batch = (time.perf_counter() - started) / len(pages)
    return {"one_ticket_alone_s": round(single, 3), "per_page_in_100_page_document_s": round(batch, 4)}


def ours(plan, count: int) -> dict:
    index, tickets = rendering.select(plan)
    tickets = tickets[:count]
    started = time.perf_counter()
    pdf = rendering.tickets_pdf(plan, index, tickets)
    seconds = time.perf_counter() - started
    with pikepdf.open(io.BytesIO(pdf)) as document:  # qpdf: counting pages must not cost the parent 100s of MiB
        pages = len(document.pages)
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
    parser.add_argument("--existing-media", help="use the demo already loaded at --url (with this MEDIA_DIR)")
    args = parser.parse_args()
    if args.existing_media:
        app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "MEDIA_DIR": args.existing_media, "SECRET_KEY": "bench"})
    else:
        app = fresh_app(args.url)
    app.config["PDF_WORKERS"] = args.workers
    with app.app_context():
        started = time.perf_counter()
        if not args.existing_media:
            load_demo()
        setup = time.perf_counter() - started
        plan = db.session.scalar(sa.select(ExamPlan).where(ExamPlan.name == PLAN_NAME))
        index, tickets = rendering.select(plan)
        watch = MemoryWatch()
        watch.start()
        shutil.rmtree(media.media_root() / "pdf-cache", ignore_errors=True)
        cold = ours(plan, args.tickets)  # this process's first batch: the PDF fork server starts too
        shutil.rmtree(media.media_root() / "pdf-cache", ignore_errors=True)
        warm = ours(plan, args.tickets)  # as in the running scheduler: fork server up, page cache empty
        moved = after_one_move(plan, args.tickets)
        watch.stop.set()
        parent_peak = rss_mib(resource.RUSAGE_SELF)  # before the raw measurement lays pages out in here
        raw = raw_weasyprint(plan, index, tickets)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "setup_demo_s": round(setup, 1),
            "workers": args.workers,
            "chunk": rendering.CHUNK,
            "raw_weasyprint": raw,
            "ours_first_batch_of_the_process": cold,
            "ours_next_batch_empty_page_cache": warm,
            "ours_after_one_seat_move_with_page_cache": moved,
            "peak_rss_mib": {
                "parent": round(parent_peak),
                "largest_worker": round(watch.largest_worker),
                "all_processes_together": round(watch.total),
            },
        }
        report["overhead_vs_raw_per_page"] = round(
            warm["seconds"] * args.workers / warm["pages"] / raw["per_page_in_100_page_document_s"], 2
        )
        report["target"] = {"600_tickets_under_s": 20, "memory_under_mib": 1024}
        report["meets_target"] = warm["seconds"] < 20 and report["peak_rss_mib"]["all_processes_together"] < 1024
    save_result("tickets", args.url, report)


if __name__ == "__main__":
    main()
