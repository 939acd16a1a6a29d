"""What every form view shares."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms import FormField

from marketplace.exceptions import ServiceError


def show_error(form: FlaskForm, error: ServiceError) -> None:
    """Put a service's message next to the field it names, else flash it. Nested names
    such as "items-0-name" or "variants-2-price" reach FieldList rows and FormField
    subforms."""
    target: object = form
    for part in (error.field or "").split("-"):
        if isinstance(target, FormField):
            target = target.form
        if part.isdigit() and hasattr(target, "entries"):
            entries = target.entries  # type: ignore[attr-defined]
            target = entries[int(part)] if int(part) < len(entries) else None
        else:
            target = getattr(target, part, None) if part else None
        if target is None:
            break
    if target is not None and target is not form and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]  # type: ignore[attr-defined]
    else:
        flash(str(error.message), "error")
