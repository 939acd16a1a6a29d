"""marketplace.forms.show_error puts a service's message where the user will see it."""

from __future__ import annotations

from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField

from marketplace.exceptions import ServiceError
from marketplace.forms import show_error


class Item(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()


class Order(FlaskForm):
    class Meta:
        csrf = False

    title = StringField()
    items = FieldList(FormField(Item), min_entries=2)


def test_message_goes_to_the_named_field_nested_rows_or_flash(app):
    with app.test_request_context(method="POST", data={}):
        form = Order()
        show_error(form, ServiceError("bad title", "title"))
        show_error(form, ServiceError("bad second item", "items-1-name"))
        show_error(form, ServiceError("no such row", "items-9-name"))
        show_error(form, ServiceError("general"))
        assert form.title.errors == ["bad title"]
        assert form.items[1].form.name.errors == ["bad second item"]
        assert not form.items[0].form.name.errors
        assert get_flashed_messages() == ["no such row", "general"]
