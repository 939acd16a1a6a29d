from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import created_at, intpk
from marketplace.extensions import db


class Notice(db.Model):
    """A notice on a producer's dashboard. Stored as a kind and parameters, and rendered
    in the reader's language when shown."""

    __tablename__ = "notices"

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    #: e.g. "verification_decision".
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]
    read_at: Mapped[dt.datetime | None]
