"""Where uploaded files live, behind one small interface.

Keys are chosen by the server ("private/documents/3f2a....pdf"), never by the uploader.
Keys under ``public/`` may be served to anyone; keys under ``private/`` only through views
that check who is asking. The local filesystem is the default backend; an S3-compatible
backend for several app servers arrives with the catalogue's photos.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"Storage key outside the storage root: {key!r}")
        return path

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def new_key(area: str, folder: str, extension: str) -> str:
    """A fresh, unguessable key: ``<area>/<folder>/<uuid>.<ext>``; area is public or private."""
    if area not in ("public", "private"):
        raise ValueError(area)
    return f"{area}/{folder}/{uuid.uuid4().hex}.{extension.lstrip('.')}"


def get_storage() -> Storage:
    return LocalStorage(Path(current_app.config["MEDIA_ROOT"]))
