"""gunicorn's settings for this app, read from the project folder (gunicorn's default
``./gunicorn.conf.py``); the command line still decides workers and address, e.g.
``gunicorn -w 4 -b 0.0.0.0:8000 'marketplace:create_app()'``."""

import gc


def post_worker_init(worker: object) -> None:
    """Once the worker has built the app, move everything allocated so far (modules,
    routes, translations, about 125,000 objects) out of the garbage collector's way:
    otherwise every full collection walks them all again, a few milliseconds each time,
    which at catalogue-page rates cost about a tenth of the CPU. They live as long as the
    worker anyway (``gc.freeze``, as Instagram's Django servers do)."""
    gc.freeze()
