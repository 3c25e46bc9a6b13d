"""The gunicorn entry point (web/wsgi.py) freezes what start-up made, so full garbage
collections in a web process walk only what requests left behind (issue 12, ack p99)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_start_up_objects_of_a_web_process_are_out_of_the_collectors_reach(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "REDIS_URL": "",
        "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
        "SWITCHBOARD_DOTENV": str(tmp_path / "none.env"),
    }
    probe = (
        "import gc, web.wsgi; "
        "print(gc.get_freeze_count(), len(gc.get_objects()), web.wsgi.app.name)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, collectable, name = int(out[0]), int(out[1]), out[2]
    assert name == "web"
    assert frozen > 50_000  # the app, its modules and their objects
    assert collectable < frozen // 10  # what the collector still walks
