"""The production entry point (gunicorn examsys.wsgi:app, as make serve runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_production_entry_point_freezes_the_start_up_objects(tmp_path):
    # Without gc.freeze() every full collection walks the app's start-up objects: 210 ms pauses
    # of every request thread on the lab server (bench/exam_load.py).
    env = {**os.environ, "EXAMSYS_INSTANCE_DIR": str(tmp_path), "EXAMSYS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    env.pop("EXAMSYS_REDIS_URL", None)
    script = "import gc, examsys.wsgi as w; print(w.app.import_name, gc.get_freeze_count())"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    name, frozen = out.stdout.split()
    assert name == "examsys" and int(frozen) > 50_000
