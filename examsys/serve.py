"""The production servers, one command line each: ``python -m examsys.serve web|exam [options]``.

- ``web`` (``make serve``): gunicorn with threads, everything - staff pages, the proctors'
  consoles (each open websocket holds a thread) and, at an ordinary sitting, the candidates too.
  One process on SQLite (one writer).
- ``exam`` (``make serve-exam``): the machine-test tier for large sittings on PostgreSQL and
  Redis. Granian's HTTP is Rust (about a twentieth of gunicorn's cost per request here), so its
  worker processes spend their CPU on the candidates' logins, saves and beats. The lab machines
  open this port; the consoles stay on ``web``. It publishes real-time events and serves no
  console (``EXAMSYS_REALTIME_PUBLISH_ONLY``), and granian answers no websocket.

The benchmarks start their servers from here too, so what they measure is what is served.
"""

from __future__ import annotations

import argparse
import os
import sys

TIERS = ("web", "exam")


def command(tier: str, host: str, port: int, workers: int, threads: int, app: str = "examsys.wsgi:app") -> list[str]:
    """The server's command line for ``tier``."""
    if tier == "web":
        return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
                "--worker-class", "gthread", "--threads", str(threads), "--worker-connections", "10000",
                "--backlog", "8192", "--keep-alive", "30", "--timeout", "120", app]  # fmt: skip
    if tier == "exam":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
                "--workers", str(workers), "--blocking-threads", str(threads), "--backlog", "8192",
                "--no-ws", "--http", "1", app]  # fmt: skip
    raise ValueError(f"unknown tier {tier!r}; one of {', '.join(TIERS)}")


def environment(tier: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment ``tier`` runs with (``base``, else this process's, plus what the tier needs)."""
    env = dict(os.environ if base is None else base)
    if tier == "exam":
        env["EXAMSYS_REALTIME_PUBLISH_ONLY"] = "1"
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m examsys.serve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("tier", choices=TIERS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1, help="processes (web on SQLite: 1)")
    parser.add_argument("--threads", type=int, default=40, help="request threads per process")
    args = parser.parse_args(argv)
    line = command(args.tier, args.host, args.port, args.workers, args.threads)
    os.execvpe(line[0], line, environment(args.tier))


if __name__ == "__main__":
    main()
