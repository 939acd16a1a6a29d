"""Where uploaded files live, behind one small interface.

Keys are chosen by the server ("private/documents/3f2a....pdf"), never by the uploader.
Keys under ``public/`` may be served to anyone; keys under ``private/`` only through views
that check who is asking. Any other key is refused (ValueError) by every backend.

Two backends: the local filesystem (MEDIA_BACKEND=local, the default) and S3-compatible
object storage (MEDIA_BACKEND=s3: AWS S3, MinIO, Cloudflare R2 ...) for deployments with
several app servers. Objects are stored without any ACL, so nothing in the bucket is public
unless the operator grants anonymous read on ``public/*`` (a bucket policy, or a CDN in
front of the bucket): ``private/`` keys are only ever read by the app.

Contract for every backend: ``read`` of a missing key raises FileNotFoundError; ``delete``
of a missing key does nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

AREAS = ("public", "private")
_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,199}"
_KEY = re.compile(rf"(?:{'|'.join(AREAS)})(?:/{_SEGMENT})+")
#: Public files never change under their key (new content gets a new key): cache for a year.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE_CACHE_CONTROL = "private, no-store"


class Storage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def delete_older_than(self, prefix: str, cutoff: dt.datetime) -> int:
        """Delete the objects under ``prefix`` (a folder such as "private/imports/") last
        written before ``cutoff``; the number deleted."""
        ...


def check_prefix(prefix: str) -> str:
    """A folder prefix such as "private/imports/": a valid key followed by a slash."""
    if not prefix.endswith("/"):
        raise ValueError(f"Not a storage folder: {prefix!r}")
    check_key(prefix[:-1])
    return prefix


def check_key(key: str) -> str:
    """``key`` if it is a well-formed key under public/ or private/, else ValueError.

    Segments are letters, digits, ``_ . -`` and never start with a dot: no ``..``, no empty
    segments, no backslashes, no absolute paths, no control characters.
    """
    if not is_key(key):
        raise ValueError(f"Not a storage key: {key!r}")
    return key


def is_key(key: str) -> bool:
    """Whether check_key accepts ``key``."""
    return isinstance(key, str) and len(key) <= 512 and _KEY.fullmatch(key) is not None


def is_public(key: str) -> bool:
    return key.startswith("public/")


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, key: str) -> Path:
        """The file's path; ValueError for a bad key or one that resolves outside the root."""
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"Storage key outside the storage root: {key!r}")
        return path

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        tmp.write_bytes(data)
        tmp.replace(path)

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete_older_than(self, prefix: str, cutoff: dt.datetime) -> int:
        folder = self.path(check_prefix(prefix)[:-1])
        if not folder.is_dir():
            return 0
        deleted = 0
        for path in folder.rglob("*"):
            written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            if path.is_file() and written < cutoff:
                path.unlink(missing_ok=True)
                deleted += 1
        return deleted


@dataclass
class StoredObject:
    """An object opened for streaming: iterate ``chunks``, then ``close()``."""

    chunks: Iterator[bytes]
    size: int
    etag: str
    close: Any


class S3Storage:
    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def save(self, key: str, data: bytes, content_type: str) -> None:
        # No ACL argument: objects belong to the bucket owner and are not public by themselves.
        self.client.put_object(
            Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type,
            CacheControl=PUBLIC_CACHE_CONTROL if is_public(key) else PRIVATE_CACHE_CONTROL,
        )

    def read(self, key: str) -> bytes:
        response = self._get(key)
        with response["Body"] as body:
            return body.read()

    def open(self, key: str) -> StoredObject:
        """Stream an object instead of reading it whole (FileNotFoundError if missing)."""
        response = self._get(key)
        body = response["Body"]
        return StoredObject(body.iter_chunks(64 * 1024), response["ContentLength"],
                            response.get("ETag", "").strip('"'), body.close)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except self.client.exceptions.ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def delete_older_than(self, prefix: str, cutoff: dt.datetime) -> int:
        deleted = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=check_prefix(prefix))
        for page in pages:
            old = [{"Key": o["Key"]} for o in page.get("Contents", [])
                   if o["LastModified"] < cutoff]
            if old:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": old})
                deleted += len(old)
        return deleted

    def _get(self, key: str) -> dict[str, Any]:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except self.client.exceptions.ClientError as error:
            if _missing(error):
                raise FileNotFoundError(key) from error
            raise


def _missing(error: Any) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def new_key(area: str, folder: str, extension: str) -> str:
    """A fresh, unguessable key: ``<area>/<folder>/<uuid>.<ext>``; area is public or private."""
    if area not in AREAS:
        raise ValueError(area)
    return check_key(f"{area}/{folder}/{uuid.uuid4().hex}.{extension.lstrip('.')}")


def public_url(key: str) -> str | None:
    """The address of a public key under MEDIA_PUBLIC_BASE_URL, or None when not configured
    (then the app serves public keys itself, at media.file)."""
    base = current_app.config.get("MEDIA_PUBLIC_BASE_URL") or ""
    if not base or not is_public(check_key(key)):
        return None
    return f"{base.rstrip('/')}/{key}"


def get_storage() -> Storage:
    """The configured backend (MEDIA_BACKEND: "local" or "s3")."""
    config = current_app.config
    backend = (config.get("MEDIA_BACKEND") or "local").strip().lower()
    if backend == "local":
        return LocalStorage(Path(config["MEDIA_ROOT"]))
    if backend == "s3":
        if not config.get("MEDIA_S3_BUCKET"):
            raise RuntimeError("MEDIA_BACKEND=s3 needs MEDIA_S3_BUCKET.")
        return S3Storage(s3_client(current_app), config["MEDIA_S3_BUCKET"])
    raise RuntimeError(f"Unknown MEDIA_BACKEND {backend!r}: use 'local' or 's3'.")


def s3_client(app: Flask) -> Any:
    """One boto3 client per app (clients are thread-safe), made on first use and kept in
    ``app.extensions``; made again only if the endpoint or region settings change.
    Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    an instance role ...)."""
    settings = (app.config.get("MEDIA_S3_ENDPOINT_URL") or None,
                app.config.get("MEDIA_S3_REGION") or None)
    cached = app.extensions.get("media_s3")
    if cached is not None and cached[0] == settings:
        return cached[1]
    import boto3
    from botocore.config import Config

    endpoint, region = settings
    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=region,
        config=Config(
            # MinIO and most other S3-compatible services want path-style addresses.
            s3={"addressing_style": "path" if endpoint else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5, read_timeout=30,
        ),
    )
    app.extensions["media_s3"] = (settings, client)
    return client
