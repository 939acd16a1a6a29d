"""gunicorn.conf.py, which gunicorn reads from the repository's root."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_a_worker_freezes_what_the_app_built_before_its_first_request():
    hook = runpy.run_path(str(CONFIG))["post_worker_init"]
    gc.unfreeze()
    try:
        hook(object())
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
