"""Gunicorn entry point for ``bench/exam_load.py --profile``: the app, every request profiled.

Each request runs under its own pyinstrument profiler (they are per thread); when the worker
exits, the sessions are combined into one HTML report at ``$EXAM_LOAD_PROFILE``. Profiling
slows the server down: use it to see where a request's time goes, not to measure latency.
"""

from __future__ import annotations

import atexit
import functools
import os
import threading

from pyinstrument import Profiler
from pyinstrument.renderers import HTMLRenderer
from pyinstrument.session import Session

from examsys.wsgi import app as _app

_sessions: list[Session] = []
_lock = threading.Lock()


def app(environ, start_response):
    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        return list(_app(environ, start_response))
    finally:
        profiler.stop()
        if profiler.last_session is not None:
            with _lock:
                _sessions.append(profiler.last_session)


@atexit.register
def _write() -> None:
    path = os.environ.get("EXAM_LOAD_PROFILE")
    if path and _sessions:
        combined = functools.reduce(Session.combine, _sessions)
        with open(path, "w", encoding="utf-8") as out:
            out.write(HTMLRenderer().render(combined))
