from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from marketplace.verification.files import EXTENSIONS
from marketplace.verification.models import DocumentType
from marketplace.verification.rules import NO_EXPIRY, NUMBER_HINTS, NUMBER_LABELS

_ACCEPT = ",".join([*(f".{ext}" for ext in EXTENSIONS), "application/pdf", "image/jpeg",
                    "image/png"])


class DocumentForm(FlaskForm):
    """One document's upload. Built with prefix=<document type> so that several live on
    one page; the service checks everything again."""

    number = StringField(_l("Number"), validators=[Length(max=100)],
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    issued_on = DateField(_l("Issue date"), validators=[Optional()],
                          description=_l("Leave empty if the document shows none."))
    expires_on = DateField(_l("Expiry date"), validators=[Optional()],
                           description=_l("Leave empty if it does not expire."))
    file = FileField(_l("File"), description=_l("A PDF, or a clear photo (JPEG or PNG)."),
                     render_kw={"accept": _ACCEPT})

    def __init__(self, doc_type: DocumentType, *args: object, **kwargs: object) -> None:
        super().__init__(*args, prefix=doc_type.value, **kwargs)  # type: ignore[arg-type]
        self.doc_type = doc_type
        self.number.label.text = str(NUMBER_LABELS[doc_type])
        self.number.description = NUMBER_HINTS[doc_type]
        if doc_type in NO_EXPIRY:
            del self["expires_on"]
        if doc_type is DocumentType.KTP:
            self.number.render_kw = {**self.number.render_kw, "inputmode": "numeric"}


class SubmitForm(FlaskForm):
    """Kirim untuk diverifikasi: only the CSRF token."""


class DocumentReviewForm(FlaskForm):
    """Accept or reject one document (prefix doc<id>)."""

    verdict = RadioField(_l("Decision on this document"),
                         choices=[SelectChoice("accept", _l("Accept")),
                                  SelectChoice("reject", _l("Reject"))],
                         validators=[InputRequired(_l("Choose accept or reject."))])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)],
                           description=_l("Required when you reject: the producer reads it."))


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"),
                          choices=[SelectChoice("verified", _l("Verified")),
                                   SelectChoice("changes_needed", _l("Changes needed")),
                                   SelectChoice("rejected", _l("Rejected"))],
                          validators=[InputRequired(_l("Choose a decision."))])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)],
                           description=_l("For changes needed: what to fix. For a rejection: "
                                          "why. The producer reads it."))


class SuspensionForm(FlaskForm):
    action = HiddenField(validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)],
                           description=_l("Required. The producer reads it."))
