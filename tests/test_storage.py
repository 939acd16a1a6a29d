"""Storage backends behind one interface: the local filesystem and S3-compatible object
storage, the latter tested against moto's S3 emulator on 127.0.0.1 (real boto3 calls over
HTTP). The same behaviour tests run against both backends."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from marketplace import config
from marketplace.media.storage import (
    PRIVATE_CACHE_CONTROL,
    PUBLIC_CACHE_CONTROL,
    LocalStorage,
    S3Storage,
    Storage,
    get_storage,
    new_key,
)

#: Keys no backend may accept: other areas, traversal, odd separators, control characters.
BAD_KEYS = [
    "other/file.png", "public", "public/", "/public/a.png", "public//a.png", "public/./a.png",
    "public/../private/a.png", "public/a/../../etc/passwd", "../public/a.png", "private/.env",
    "public\\..\\private\\a.png", "public/a.png\x00.txt", "public/a\nb.png", "PUBLIC/a.png",
    "public/a b.png", "public/%2e%2e/a.png", "", "public/" + "a" * 600,
]


# --- the S3 emulator (also used by test_media_views.py) -------------------------------------------

#: Credentials for the emulator, and no reading of this machine's AWS files or metadata service.
AWS_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
                   "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

@dataclass(frozen=True)
class S3:
    endpoint: str
    admin: Any  # a boto3 client of the tests' own

    def new_bucket(self) -> str:
        """A fresh, empty bucket: every test starts from nothing."""
        bucket = f"media-{uuid.uuid4().hex[:12]}"
        self.admin.create_bucket(Bucket=bucket)
        return bucket


@contextlib.contextmanager
def s3_emulator() -> Iterator[S3]:
    """moto's S3 server on 127.0.0.1 at a free port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        with _aws_credentials():
            import boto3

            admin = boto3.session.Session().client("s3", endpoint_url=endpoint,
                                                   region_name="us-east-1")
        yield S3(endpoint, admin)
    finally:
        server.stop()


@contextlib.contextmanager
def _aws_credentials() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in AWS_ENVIRONMENT}
    os.environ.update(AWS_ENVIRONMENT)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def use_s3(app: Flask, s3: S3, monkeypatch: pytest.MonkeyPatch, public_url: str = "") -> str:
    """Point ``app`` at a new bucket in the emulator for one test; returns the bucket's name.
    Credentials come from the environment, as in production."""
    for name, value in AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    bucket = s3.new_bucket()
    for name, value in {"MEDIA_BACKEND": "s3", "MEDIA_S3_BUCKET": bucket,
                        "MEDIA_S3_ENDPOINT_URL": s3.endpoint, "MEDIA_S3_REGION": "us-east-1",
                        "MEDIA_PUBLIC_BASE_URL": public_url}.items():
        monkeypatch.setitem(app.config, name, value)
    return bucket


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    with s3_emulator() as emulator:
        yield emulator


# --- a bare app: storage needs only its configuration (no database) ------------------------------

@pytest.fixture(scope="module")
def _module_app() -> Flask:
    app = Flask("storage-test")
    app.config.from_mapping(config.from_environment())
    return app  # one app for the module: its boto3 client is made once, as in production


@pytest.fixture
def bare_app(_module_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(_module_app.config, "MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.setitem(_module_app.config, "MEDIA_BACKEND", "local")
    return _module_app


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, bare_app: Flask, s3: S3,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Storage]:
    if request.param == "s3":
        use_s3(bare_app, s3, monkeypatch)
    with bare_app.app_context():
        backend = get_storage()
        assert isinstance(backend, LocalStorage if request.param == "local" else S3Storage)
        yield backend


def all_keys(storage: Storage) -> list[str]:
    """Every stored key, read from the backend itself (not through the interface)."""
    if isinstance(storage, LocalStorage):
        root = storage.root
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) \
            if root.exists() else []
    assert isinstance(storage, S3Storage)
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


# --- the same behaviour on both backends ----------------------------------------------------------

def test_save_read_exists_delete(storage):
    key = new_key("public", "products", "webp")
    assert not storage.exists(key)
    storage.save(key, b"first", "image/webp")
    assert storage.exists(key) and storage.read(key) == b"first"
    storage.save(key, b"second version", "image/webp")
    assert storage.read(key) == b"second version"
    assert key in all_keys(storage)
    storage.delete(key)
    assert not storage.exists(key) and key not in all_keys(storage)


def test_private_and_public_areas_are_both_stored(storage):
    private = new_key("private", "documents", "pdf")
    public = new_key("public", "logos", "png")
    storage.save(private, b"%PDF-1.4 secret", "application/pdf")
    storage.save(public, b"\x89PNG logo", "image/png")
    assert storage.read(private) == b"%PDF-1.4 secret" and storage.read(public) == b"\x89PNG logo"
    assert {private, public} <= set(all_keys(storage))


def test_a_missing_key(storage):
    key = new_key("private", "documents", "pdf")
    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.read(key)
    storage.delete(key)  # deleting what is not there is not an error
    assert all_keys(storage) == []


def test_binary_content_round_trips(storage):
    key = new_key("private", "imports", "xlsx")
    data = bytes(range(256)) * 1000
    storage.save(key, data, "application/octet-stream")
    assert storage.read(key) == data


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_outside_the_allowed_areas_are_refused(storage, key):
    with pytest.raises(ValueError):
        storage.save(key, b"data", "image/png")
    for operation in (storage.read, storage.exists, storage.delete):
        with pytest.raises(ValueError):
            operation(key)
    assert all_keys(storage) == []


def test_new_keys_are_fresh_and_in_an_allowed_area():
    first, second = new_key("public", "products", ".webp"), new_key("public", "products", "webp")
    assert first != second and first.startswith("public/products/") and first.endswith(".webp")
    with pytest.raises(ValueError):
        new_key("other", "products", "webp")
    with pytest.raises(ValueError):
        new_key("public", "../private", "webp")


# --- local filesystem -----------------------------------------------------------------------------

def test_local_storage_never_leaves_a_file_outside_its_root(bare_app, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    with bare_app.app_context():
        storage = get_storage()
        assert isinstance(storage, LocalStorage)
        (storage.root / "public").mkdir(parents=True)
        (storage.root / "public" / "escape").symlink_to(outside)
        with pytest.raises(ValueError):
            storage.save("public/escape/file.png", b"data", "image/png")
    assert list(outside.iterdir()) == []


def test_local_saves_are_atomic(bare_app):
    with bare_app.app_context():
        storage = get_storage()
        storage.save("public/logos/a.png", b"one", "image/png")
        storage.save("public/logos/a.png", b"two", "image/png")
        assert all_keys(storage) == ["public/logos/a.png"]  # no temporary files left


# --- S3-compatible object storage -----------------------------------------------------------------

def _anonymous_get(s3: S3, bucket: str, key: str) -> int:
    try:
        url = f"{s3.endpoint}/{bucket}/{key}"
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - checked above
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_s3_objects_have_no_public_acl(bare_app, s3, monkeypatch):
    bucket = use_s3(bare_app, s3, monkeypatch)
    with bare_app.app_context():
        storage = get_storage()
        assert isinstance(storage, S3Storage)
        private, public = new_key("private", "documents", "pdf"), new_key("public", "x", "png")
        storage.save(private, b"%PDF-1.4 KTP scan", "application/pdf")
        storage.save(public, b"\x89PNG", "image/png")
        for key in (private, public):
            grants = storage.client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
            assert [g["Grantee"]["Type"] for g in grants] == ["CanonicalUser"]  # owner only
        assert _anonymous_get(s3, bucket, private) == 403
        # Public keys are made readable by the operator (bucket policy or CDN), or served
        # by the app; the app never marks an object public itself.
        assert _anonymous_get(s3, bucket, public) == 403


def test_s3_objects_carry_cache_headers(bare_app, s3, monkeypatch):
    use_s3(bare_app, s3, monkeypatch)
    with bare_app.app_context():
        storage = get_storage()
        assert isinstance(storage, S3Storage)
        public, private = new_key("public", "products", "webp"), new_key("private", "d", "pdf")
        storage.save(public, b"RIFF", "image/webp")
        storage.save(private, b"%PDF", "application/pdf")
        head = storage.client.head_object(Bucket=storage.bucket, Key=public)
        assert head["ContentType"] == "image/webp" and head["CacheControl"] == PUBLIC_CACHE_CONTROL
        head = storage.client.head_object(Bucket=storage.bucket, Key=private)
        assert head["CacheControl"] == PRIVATE_CACHE_CONTROL


def test_s3_client_is_made_once_per_app(bare_app, s3, monkeypatch):
    use_s3(bare_app, s3, monkeypatch)
    with bare_app.app_context():
        first, second = get_storage(), get_storage()
    with bare_app.test_request_context():
        third = get_storage()
    assert isinstance(first, S3Storage) and isinstance(third, S3Storage)
    assert first.client is second.client is third.client
    assert bare_app.extensions["media_s3"][1] is first.client
    other = Flask("other-app")
    other.config.update(bare_app.config)
    with other.app_context():
        assert get_storage().client is not first.client  # type: ignore[attr-defined]


def test_s3_streams_an_object(bare_app, s3, monkeypatch):
    use_s3(bare_app, s3, monkeypatch)
    with bare_app.app_context():
        storage = get_storage()
        assert isinstance(storage, S3Storage)
        key = new_key("public", "products", "webp")
        data = os.urandom(200_000)
        storage.save(key, data, "image/webp")
        stored = storage.open(key)
        try:
            assert b"".join(stored.chunks) == data and stored.size == len(data)
            assert stored.etag
        finally:
            stored.close()
        with pytest.raises(FileNotFoundError):
            storage.open(new_key("public", "products", "webp"))


@pytest.mark.parametrize(("settings", "problem"), [
    ({"MEDIA_BACKEND": "s3", "MEDIA_S3_BUCKET": ""}, "MEDIA_S3_BUCKET"),
    ({"MEDIA_BACKEND": "ftp"}, "MEDIA_BACKEND"),
])
def test_a_bad_storage_configuration_is_explained(bare_app, settings, problem, monkeypatch):
    for name, value in settings.items():
        monkeypatch.setitem(bare_app.config, name, value)
    with bare_app.app_context(), pytest.raises(RuntimeError, match=problem):
        get_storage()


def test_storage_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEDIA_BACKEND", " S3 ")
    monkeypatch.setenv("MEDIA_S3_BUCKET", "pasar-binaan-media")
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "https://minio.example.test")
    monkeypatch.setenv("MEDIA_S3_REGION", "ap-southeast-3")
    monkeypatch.setenv("MEDIA_PUBLIC_BASE_URL", "https://cdn.example.test/media/")
    settings = config.from_environment()
    assert settings["MEDIA_BACKEND"] == "s3"
    assert settings["MEDIA_S3_BUCKET"] == "pasar-binaan-media"
    assert settings["MEDIA_S3_ENDPOINT_URL"] == "https://minio.example.test"
    assert settings["MEDIA_S3_REGION"] == "ap-southeast-3"
    assert settings["MEDIA_PUBLIC_BASE_URL"] == "https://cdn.example.test/media"
    for name in ("MEDIA_BACKEND", "MEDIA_S3_BUCKET", "MEDIA_PUBLIC_BASE_URL"):
        monkeypatch.delenv(name)
    defaults = config.from_environment()
    assert defaults["MEDIA_BACKEND"] == "local" and defaults["MEDIA_PUBLIC_BASE_URL"] == ""


def test_delete_older_than_removes_only_old_objects_under_the_folder(storage):
    old = new_key("private", "imports", "csv")
    other_folder = new_key("private", "documents", "pdf")
    storage.save(old, b"a;b", "text/csv")
    storage.save(other_folder, b"%PDF", "application/pdf")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert storage.delete_older_than("private/imports/", past) == 0
    future = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    fresh_cutoff_count = storage.delete_older_than("private/imports/", future)
    assert fresh_cutoff_count == 1
    assert all_keys(storage) == [other_folder]
    assert storage.delete_older_than("private/nothing-here/", future) == 0
    with pytest.raises(ValueError):
        storage.delete_older_than("private/../", future)
