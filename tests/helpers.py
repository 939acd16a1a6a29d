"""Helpers for HTTP tests: CSRF-aware form posts, login, and reading the mail outbox."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_INPUT = re.compile(r"<input\b[^>]*>")
_NAME = re.compile(r'\bname="([\w-]*csrf_token)"')
_VALUE = re.compile(r'\bvalue="([^"]+)"')


def csrf_fields(html: str) -> dict[str, str]:
    """Every CSRF token field of a page, as {name: value}."""
    fields = {}
    for tag in _INPUT.findall(html):
        name, value = _NAME.search(tag), _VALUE.search(tag)
        if name and value:
            fields[name.group(1)] = value.group(1)
    return fields


def post_form(client: FlaskClient, url: str, data: dict[str, object],
              page: str | None = None, **kwargs: object) -> TestResponse:
    """GET ``page`` (default: ``url``) for its CSRF tokens, then POST ``data`` to ``url``."""
    get_kwargs = {k: v for k, v in kwargs.items() if k in ("headers", "environ_base")}
    html = client.get(page or url, **get_kwargs).get_data(as_text=True)
    return client.post(url, data={**csrf_fields(html), **data}, **kwargs)


def login(client: FlaskClient, email: str, password: str = "correct-horse-battery",
          **kwargs: object) -> TestResponse:
    return post_form(client, "/masuk", {"email": email, "password": password}, **kwargs)


def logout(client: FlaskClient) -> TestResponse:
    return post_form(client, "/keluar", {}, page="/")


class Outbox:
    """The development mail backend's folder of .eml files."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def clear(self) -> None:
        if self.path.exists():
            for item in self.path.glob("*.eml"):
                item.unlink()

    def messages(self) -> list[Message]:
        if not self.path.exists():
            return []
        files = sorted(self.path.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [email.message_from_bytes(p.read_bytes()) for p in files]

    def last_body(self) -> str:
        message = self.messages()[-1]
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(message.get_content_charset() or "utf-8")
