"""Commands: create-staff, regions load, demo load."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import find_by_email
from marketplace.db import utcnow
from marketplace.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from marketplace.extensions import db as _db
from marketplace.producers.claims import active_code
from marketplace.producers.models import Producer, ProducerStatus
from marketplace.producers.services import producers_of
from marketplace.programs.models import Grant
from marketplace.regions.models import Region
from marketplace.verification.models import DocumentStatus, DocumentType, ProducerDocument
from tests.helpers import login


def _runner(app):
    return app.test_cli_runner()


def test_create_staff(app, db):
    result = _runner(app).invoke(args=["create-staff", "Rina@Dinas.test", "--name", "Rina",
                                       "--password", "ulap-doyo-tenun-1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = find_by_email("rina@dinas.test")
        assert user.role is Role.STAFF


def test_create_admin(app, db):
    result = _runner(app).invoke(args=["create-staff", "boss@dinas.test", "--admin", "--name",
                                       "Boss", "--password", "ulap-doyo-tenun-1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert find_by_email("boss@dinas.test").role is Role.ADMIN


def test_create_staff_refuses_bad_input(app, db):
    runner = _runner(app)
    for args in (["not-an-email", "--name", "X", "--password", "ulap-doyo-tenun-1"],
                 ["ok@dinas.test", "--name", "X", "--password", "short"],
                 ["ok@dinas.test", "--name", "X", "--password", "password1"]):
        result = runner.invoke(args=["create-staff", *args])
        assert result.exit_code != 0
        assert "Error" in result.output
    with app.app_context():
        assert find_by_email("ok@dinas.test") is None


def test_create_staff_refuses_duplicate(app, db):
    runner = _runner(app)
    args = ["create-staff", "dup@dinas.test", "--name", "X", "--password", "ulap-doyo-tenun-1"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0


def test_regions_are_loaded_with_kemendagri_codes_and_postal_codes(app, db):
    with app.app_context():
        biduk = _db.session.get(Region, "64.03.08")
        assert biduk.name == "Biduk-Biduk" and biduk.parent_code == "64.03"
        assert _db.session.get(Region, "64.03").name == "Kabupaten Berau"
        assert _db.session.get(Region, "64.72").name == "Kota Samarinda"
        villages = list(_db.session.scalars(select(Region).where(
            Region.parent_code == "64.03.08")))
        assert villages and all(v.level == 4 and v.postal_code for v in villages)
        assert _db.session.get(Region, "64.03.08.2001").postal_code == "77373"


def test_regions_load_is_idempotent_and_refuses_unknown_province(app, db):
    runner = _runner(app)
    result = runner.invoke(args=["regions", "load", "--province", "64"])
    assert result.exit_code == 0 and "Loaded 0 regions" in result.output
    result = runner.invoke(args=["regions", "load", "--province", "99"])
    assert result.exit_code != 0 and "Unknown province" in result.output


def test_demo_load_is_idempotent_and_demo_accounts_sign_in(app, db):
    runner = _runner(app)
    first = runner.invoke(args=["demo", "load"], env={"APP_ENV": "development"})
    assert first.exit_code == 0, first.output
    with app.app_context():
        count = _db.session.scalar(select(func.count()).select_from(User))
        regions = _db.session.scalar(select(func.count()).select_from(Region))
    assert regions > 80000  # all of Indonesia, down to kelurahan/desa
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert "0 regions, 0 accounts, 0 producers and 0 products" in second.output
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(User)) == count
        for account in DEMO_ACCOUNTS:
            assert find_by_email(account.email).role is account.role
        statuses = set(_db.session.scalars(select(Producer.status)))
        assert statuses >= {ProducerStatus.VERIFIED, ProducerStatus.SUBMITTED,
                            ProducerStatus.CHANGES_NEEDED, ProducerStatus.DRAFT}
        demo_owner = find_by_email("produsen@demo.test")
        owned = producers_of(demo_owner)
        assert [p.status for p in owned] == [ProducerStatus.VERIFIED]
        unclaimed = list(_db.session.scalars(select(Producer).where(~Producer.members.any())))
        assert len(unclaimed) >= 2
        assert all(active_code(p) is not None for p in unclaimed)
        documents = list(_db.session.scalars(select(ProducerDocument).where(
            ProducerDocument.producer_id == owned[0].id)))
        assert {d.status for d in documents} == {DocumentStatus.ACCEPTED}
        ktp = next(d for d in documents if d.doc_type is DocumentType.KTP)
        assert ktp.number == "" and ktp.number_encrypted
        assert _db.session.scalar(select(func.count()).select_from(Grant)) == 10
    client = app.test_client()
    assert login(client, "staf@demo.test", DEMO_PASSWORD).headers["Location"] == "/dinas"


def test_demo_load_refuses_production(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    result = _runner(app).invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "production" in result.output
    with app.app_context():
        assert find_by_email("admin@demo.test") is None


def test_clean_imports_deletes_only_stale_unconfirmed_uploads(app, db):
    from marketplace.media.storage import LocalStorage, get_storage
    from marketplace.programs import services as program_services

    with app.app_context():
        stale, _ = program_services.stash_upload(b"nama;nik\n")
        fresh, _ = program_services.stash_upload(b"nama;nib\n")
        storage = get_storage()
        assert isinstance(storage, LocalStorage)
        two_days_ago = (utcnow() - dt.timedelta(days=2)).timestamp()
        os.utime(storage.path(stale), (two_days_ago, two_days_ago))
    result = _runner(app).invoke(args=["programs", "clean-imports", "--hours", "24"])
    assert result.exit_code == 0 and "1 stale upload(s) deleted." in result.output
    with app.app_context():
        assert not get_storage().exists(stale) and get_storage().exists(fresh)
        get_storage().delete(fresh)
    assert _runner(app).invoke(args=["programs", "clean-imports", "--hours", "0"]).exit_code != 0
