"""Cache-busted static files: ``asset_url("css/app.css")`` -> ``/static/css/app.css?v=3f2a9c1d``.

The version is a hash of the file's content, so browsers may cache static files for a year
and still fetch a changed file at once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, url_for


@lru_cache(maxsize=256)
def _version(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


_versions: dict[str, str | None] = {}
_urls: dict[tuple[str, str, str | None], str] = {}


def asset_url(filename: str) -> str:
    """Static files do not change while the app runs (a deploy restarts it), so outside
    debug mode each file is hashed once; the catalogue calls this dozens of times a page."""
    if current_app.debug or filename not in _versions:
        path = Path(current_app.static_folder or "") / filename
        try:
            _versions[filename] = _version(str(path), path.stat().st_mtime_ns)
        except OSError:
            _versions[filename] = None
    version = _versions[filename]
    key = (request.script_root if has_request_context() else "", filename, version)
    if key not in _urls:  # the address too: a product grid asks for its placeholder 24 times
        _urls[key] = (url_for("static", filename=filename) if version is None
                      else url_for("static", filename=filename, v=version))
    return _urls[key]


def init_app(app: Flask) -> None:
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600
    app.jinja_env.globals["asset_url"] = asset_url
