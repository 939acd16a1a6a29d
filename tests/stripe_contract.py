"""A fake Stripe that checks every request against Stripe's own OpenAPI description.

:class:`FakeStripe` is a ``stripe.HTTPClient``: the app's ``StripeClient`` sends through it
(``app.extensions["stripe_http_client"]``), so requests are encoded by the real library and
answers parsed by it. Each request is matched to the spec's path and method; its form body is
decoded back into nested parameters and validated against the operation's ``requestBody``
schema: unknown parameters (nested objects without ``additionalProperties`` are closed, as on
real Stripe), enums, integers, booleans, string lengths and required keys. A request that
breaks the contract is recorded in ``violations`` and answered like Stripe answers it: 400.

Answers are built from Stripe's fixtures (``fixtures3.2023-08-16.json``) with the values the
request set, and kept in a small store so that a retrieve returns the current state.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
import threading
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_NAME = "spec3.2023-08-16.json"
FIXTURES_NAME = "fixtures3.2023-08-16.json"

#: Parameters the project sends that Stripe added after the 2023-08-16 spec (stripe 16.x
#: speaks API version 2026-10-28). Empty today; add "path.to.param" with a comment.
NEWER_THAN_SPEC: frozenset[str] = frozenset()


def spec_dir() -> Path | None:
    """STRIPE_SPEC_DIR, else ``shared/stripe`` beside the repository (as CI lays it out)."""
    candidates = [os.environ.get("STRIPE_SPEC_DIR", ""),
                  str(REPO_ROOT.parent / "shared" / "stripe")]
    for candidate in candidates:
        if candidate and (Path(candidate) / SPEC_NAME).is_file():
            return Path(candidate)
    return None


@cache
def spec() -> dict[str, Any]:
    folder = spec_dir()
    assert folder is not None
    return json.loads((folder / SPEC_NAME).read_text())  # type: ignore[no-any-return]


@cache
def fixtures() -> dict[str, Any]:
    folder = spec_dir()
    assert folder is not None
    return json.loads((folder / FIXTURES_NAME).read_text())["resources"]  # type: ignore[no-any-return]


# --- matching and validating ------------------------------------------------------------------

def find_operation(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The spec's operation for ``path`` (templates like {session} match one segment)."""
    for template, operations in spec()["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    return None


def decode_form(body: str) -> dict[str, Any]:
    """``a[b][0][c]=x`` -> {"a": {"b": {"0": {"c": "x"}}}} (lists stay digit-keyed dicts)."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+|(?<=\[)(?=\])", key)
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ValueError(f"parameter {key} is both a value and an object")
        target[parts[-1]] = value
    return result


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec()["components"]["schemas"][name]
    return schema


def validate(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Everything wrong with a decoded form value against a request schema."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        attempts = [validate(value, option, path) for option in schema["anyOf"]]
        return [] if any(not errors for errors in attempts) else min(attempts, key=len)
    if "enum" in schema:
        return [] if value in [str(v).lower() if isinstance(v, bool) else str(v)
                               for v in schema["enum"]] \
            else [f"{path}: {value!r} is not one of {schema['enum']}"]
    kind = schema.get("type")
    if kind == "object":
        return _validate_object(value, schema, path)
    if kind == "array":
        return _validate_array(value, schema, path)
    if isinstance(value, dict):
        return [f"{path}: an object where a {kind or 'value'} is expected"]
    return _validate_scalar(value, schema, path)


def _validate_scalar(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    kind = schema.get("type")
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return [f"{path}: {value!r} is not an integer"]
    if kind == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return [f"{path}: {value!r} is not a number"]
    if kind == "boolean" and value not in ("true", "false"):
        return [f"{path}: {value!r} is not a boolean"]
    if kind == "string" and len(value) > schema.get("maxLength", 10**9):
        return [f"{path}: longer than {schema['maxLength']}"]
    return []


def _validate_object(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: {value!r} is not an object"]
    errors: list[str] = []
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", False)
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key in properties:
            errors += validate(item, properties[key], where)
        elif isinstance(extra, dict):
            errors += validate(item, extra, where)
        elif extra is not True and where not in NEWER_THAN_SPEC:
            errors.append(f"{where}: unknown parameter")
    for key in schema.get("required", []):
        if key not in value:
            errors.append(f"{path}.{key}: required" if path else f"{key}: required")
    return errors


def _validate_array(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    if not isinstance(value, dict) or not all(k.isdigit() for k in value):
        return [f"{path}: not an array"]
    indexes = sorted(int(k) for k in value)
    if indexes != list(range(len(indexes))):
        return [f"{path}: array indexes {indexes} are not 0..n-1"]
    errors: list[str] = []
    for index in indexes:
        errors += validate(value[str(index)], schema.get("items", {}), f"{path}[{index}]")
    return errors


def check_request(method: str, url: str, body: str | None) -> list[str]:
    """Every contract problem of one request (empty: it is what Stripe accepts)."""
    parts = urlsplit(url)
    found = find_operation(method, parts.path)
    if found is None:
        return [f"{method.upper()} {parts.path}: no such operation in the spec"]
    template, operation = found
    errors: list[str] = []
    declared = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    for name in {re.split(r"\[", key)[0] for key, _ in parse_qsl(parts.query)}:
        if name not in declared:
            errors.append(f"{template}: unknown query parameter {name}")
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/x-www-form-urlencoded", {}).get("schema")
    if body:
        if schema is None:
            return [*errors, f"{template}: takes no body"]
        errors += validate(decode_form(body), schema)
    elif schema is not None:
        errors += validate({}, schema)
    return errors


# --- the fake ----------------------------------------------------------------------------------

class FakeStripe(stripe.HTTPClient):
    """Validates, records and answers; thread-safe (webhook tests deliver concurrently)."""

    name = "contract-fake"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.objects: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, tuple[str, tuple[str, int, dict[str, str]]]] = {}
        self.refund_status = "succeeded"
        self._ids = itertools.count(1)
        self._lock = threading.RLock()

    # stripe.HTTPClient
    def request(self, method: str, url: str, headers: Any, post_data: Any = None,
                *, _usage: Any = None) -> tuple[str, int, dict[str, str]]:
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        with self._lock:
            return self._handle(method.lower(), url, dict(headers or {}), body)

    def close(self) -> None:
        pass

    def _handle(self, method: str, url: str, headers: dict[str, str],
                body: str) -> tuple[str, int, dict[str, str]]:
        errors = check_request(method, url, body)
        if method == "post" and not headers.get("Idempotency-Key"):
            errors.append(f"{url}: POST without an Idempotency-Key")
        params = decode_form(body) if body else {}
        self.requests.append((method, urlsplit(url).path, params))
        if errors:
            self.violations += errors
            return self._error(400, "; ".join(errors))
        key = headers.get("Idempotency-Key", "") if method == "post" else ""
        if key in self.idempotent:
            earlier_body, answer = self.idempotent[key]
            if earlier_body != body:
                return self._error(400, "Keys for idempotent requests can only be used "
                                        "with the same parameters", "idempotency_error")
            return answer
        answer = self._answer(method, urlsplit(url).path, params)
        if key:
            self.idempotent[key] = (body, answer)
        return answer

    def _error(self, status: int, message: str,
               kind: str = "invalid_request_error") -> tuple[str, int, dict[str, str]]:
        return json.dumps({"error": {"type": kind, "message": message}}), status, {}

    def _ok(self, obj: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        return json.dumps(obj), 200, {"request-id": f"req_{next(self._ids)}"}

    def _new(self, resource: str, prefix: str, **values: Any) -> dict[str, Any]:
        obj = copy.deepcopy(fixtures()[resource])
        obj.update(values, id=f"{prefix}_test_{next(self._ids):06d}")
        self.objects[obj["id"]] = obj
        return obj

    def _answer(self, method: str, path: str,
                params: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        segments = path.strip("/").split("/")
        if method == "get" and segments[-1] in self.objects:
            return self._ok(self.objects[segments[-1]])
        if method == "get":
            return self._error(404, f"No such object: {segments[-1]}")
        handler = {
            "/v1/checkout/sessions": self._create_session, "/v1/refunds": self._create_refund,
            "/v1/accounts": self._create_account, "/v1/account_links": self._create_link,
            "/v1/transfers": self._create_transfer,
        }.get(path)
        if handler is None:
            return self._error(404, f"the fake does not answer POST {path}")
        return self._ok(handler(params))

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        items = params.get("line_items", {}).values()
        total = sum(int(i["price_data"]["unit_amount"]) * int(i["quantity"]) for i in items)
        session = self._new(
            "checkout.session", "cs", amount_total=total, amount_subtotal=total,
            currency=params["line_items"]["0"]["price_data"]["currency"],
            metadata=params.get("metadata", {}), status="open", payment_status="unpaid",
            client_reference_id=params.get("client_reference_id"), payment_intent=None,
            success_url=params["success_url"], cancel_url=params.get("cancel_url"))
        session["url"] = f"https://checkout.stripe.com/c/pay/{session['id']}"
        return session

    def _create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._new("refund", "re", amount=int(params["amount"]),
                         payment_intent=params["payment_intent"], status=self.refund_status,
                         metadata=params.get("metadata", {}))

    def _create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._new("account", "acct", email=params.get("email"), type="express",
                         payouts_enabled=False, metadata=params.get("metadata", {}))

    def _create_link(self, params: dict[str, Any]) -> dict[str, Any]:
        link = copy.deepcopy(fixtures()["account_link"])
        link["url"] = f"https://connect.stripe.com/setup/e/{params['account']}/x"
        return link

    def _create_transfer(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._new("transfer", "tr", amount=int(params["amount"]),
                         currency=params["currency"], destination=params["destination"])

    # what Stripe would do on its side, for the tests
    def complete_session(self, session_id: str, payment_status: str = "paid",
                         amount_total: int | None = None, currency: str | None = None) -> None:
        with self._lock:
            session = self.objects[session_id]
            session.update(status="complete", payment_status=payment_status,
                           payment_intent=f"pi_test_{session_id[-6:]}")
            if amount_total is not None:
                session["amount_total"] = amount_total
            if currency is not None:
                session["currency"] = currency

    def expire_session(self, session_id: str) -> None:
        with self._lock:
            self.objects[session_id].update(status="expired", url=None)

    def posts(self, path: str) -> list[dict[str, Any]]:
        return [params for method, p, params in self.requests if method == "post" and p == path]
