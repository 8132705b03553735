"""The production entry point: ``gunicorn examsys.wsgi:app`` (``make serve`` runs it).

After start-up the process's objects (modules, the app, SQLAlchemy's mappers and caches) are
moved out of the garbage collector's reach with ``gc.freeze()``. Otherwise every full
collection walks them all: on the 2-core lab server that stopped every request thread for
about 210 ms a few times a minute, the slowest autosaves of a sitting (bench/exam_load.py).
"""

from __future__ import annotations

import gc

from examsys import create_app

app = create_app()
gc.collect()
gc.freeze()
