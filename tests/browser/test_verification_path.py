"""Issue 3 end to end in a real browser: from the agency's aid list to a verified seller.

Staff import a programme's recipient list (a first file with a bad row, then the example
file), print the claim codes; the recipient opens the claim link, registers, claims the
producer, completes the profile (the village through the no-JavaScript kabupaten step, the
NIB), uploads the documents a KUB needs and submits; staff review each document and verify;
the producer sees the decision on a phone, and gets an email. axe-core checks each page.

Elements are found by what does not depend on the language (ids, classes, form actions,
values). Where a page shows a message, the expected text is the app's own message rendered
in Indonesian, so that the wrong message is caught; DESIGN.md's word for the decision,
"Terverifikasi", is checked as written.
"""

from __future__ import annotations

import email
import io
import re
import uuid
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect

from marketplace.demo.services import DEMO_PASSWORD
from marketplace.notifications.services import NOTICE_TEXTS
from marketplace.producers.models import ProducerStatus
from marketplace.producers.services import STATUS_LABELS
from marketplace.programs.services import EXAMPLE_FILE
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS, LiveServer, assert_accessible

STAFF = "staf@demo.test"
STAFF_NAME = "Rina Staf Dinas"
PROGRAM = "Bantuan Alat Mesin Jahit dan Tenun 2024"
#: A KUB in the example file without an NIB: it needs a KTP, an NIB and the group's decree.
RECIPIENT = "KUB Batik dan Jahit Manggar"
OWNER = "Siti Aisyah"
#: The recipient moves the business from Manggar to the next kelurahan, Manggar Baru.
REGENCY, DISTRICT, VILLAGE, VILLAGE_NAME = ("64.71", "Balikpapan Timur", "64.71.01.1004",
                                            "Manggar Baru")
NIB = "9120001000066"  # in neither the demo data nor the example file
#: Born 5 July 1985 (day + 40: a woman), registered in Balikpapan Timur (64.71.01).
NIK = "6471014507850001"
NIK_MASKED = "6471••••••••0001"
GROUP_DECREE = "141/27/KPTS-KUB/2021"
PASSWORD = "batik-Manggar-Balikpapan-21"
#: DESIGN.md's word for a verified seller.
VERIFIED_WORD = "Terverifikasi"


def path_is(path: str) -> re.Pattern[str]:
    """For expect(page).to_have_url: this path, an optional #anchor, no query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(#[\w-]*)?$")


def indonesian(server: LiveServer, message: object) -> str:
    """A message of the app as the app shows it to an Indonesian reader."""
    with server.app.test_request_context(), force_locale("id"):
        return str(_(message) if isinstance(message, str) else message)


def flash_ok(page: Page) -> Locator:
    return page.locator(".flashes .flash-success[role=status]")


def sign_in(page: Page, address: str, password: str) -> None:
    page.goto("/masuk")
    page.fill("#email", address)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header.site-header form[action='/keluar']")).to_be_visible()


def jpeg(colour: str) -> bytes:
    """A small photo of a document, as a phone would send it."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def file_payload(name: str, data: bytes, mime: str) -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": data}


def list_with_bad_phone() -> bytes:
    """The example list with one unreadable phone number, in row 7 (Penjahit Putri Air
    Hitam): what a spreadsheet typed by hand looks like."""
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    assert text.count("0821-5566-7788,0821-5566-7788") == 1
    return text.replace("0821-5566-7788,0821-5566-7788", "0821-55,0821-5566-7788").encode()


@pytest.fixture
def staff_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """The agency's desktop: a second browser, with cookies of its own."""
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  timezone_id="Asia/Makassar",
                                  viewport={"width": DESKTOP["width"], "height": DESKTOP["height"]})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


# --- 1. staff import the list and print the claim codes ------------------------------------

def open_programme(staff: Page) -> str:
    """Sign in, go through the agency's start page to the programme; its path."""
    sign_in(staff, STAFF, DEMO_PASSWORD)
    expect(staff).to_have_url(path_is("/dinas"))
    staff.locator("main a[href='/dinas/program']").click()
    expect(staff).to_have_url(path_is("/dinas/program"))
    staff.locator("#programs a", has_text=PROGRAM).click()
    expect(staff.locator("h1")).to_have_text(PROGRAM)
    return re.sub(r"^https?://[^/]+", "", staff.url)


def upload_list(staff: Page, data: bytes, program_path: str) -> None:
    """Send the list through the upload form on the page and land on the preview."""
    staff.locator("main form[enctype='multipart/form-data'] input[type=file]").last \
        .set_input_files(file_payload(EXAMPLE_FILE.name, data, "text/csv"))
    staff.locator("main form[enctype='multipart/form-data'] button[type=submit]").last.click()
    expect(staff).to_have_url(path_is(f"{program_path}/impor/pratinjau"))


def import_recipients(staff: Page, program_path: str) -> None:
    staff.locator(f"main a[href='{program_path}/impor']").click()
    expect(staff).to_have_url(path_is(f"{program_path}/impor"))

    # A first file with a mistake: the row is named, and only that recipient is skipped.
    upload_list(staff, list_with_bad_phone(), program_path)
    problem = staff.locator("#problems li")
    expect(problem).to_have_count(1)
    expect(problem).to_have_attribute("data-row", "7")
    expect(problem).to_have_attribute("data-column", "telepon")
    expect(staff.locator("#recipients tbody tr")).to_have_count(10)
    skipped = staff.locator("#recipients tbody tr.skipped")
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text("Penjahit Putri Air Hitam")
    expect(skipped.locator("td").first).to_have_text("7")
    assert_accessible(staff)

    # The corrected file, through the form under the preview: every row is in order.
    upload_list(staff, EXAMPLE_FILE.read_bytes(), program_path)
    expect(staff.locator("#problems")).to_have_count(0)
    rows = staff.locator("#recipients tbody tr")
    expect(rows).to_have_count(10)
    expect(staff.locator("#recipients tbody tr.ok")).to_have_count(10)
    recipient = rows.filter(has_text=RECIPIENT)
    expect(recipient.locator("td").nth(0)).to_have_text("9")
    expect(recipient.locator("td").nth(1)).to_contain_text(OWNER)
    expect(recipient.locator("td").nth(2)).to_contain_text("Manggar")
    expect(recipient.locator("td").nth(3)).to_contain_text("Rp3.250.000")
    expect(staff.locator("#import-summary li")).to_have_count(5)
    expect(staff.locator("#import-summary")).to_contain_text(EXAMPLE_FILE.name)
    assert_accessible(staff)

    staff.locator("#confirm-import").click()
    expect(staff).to_have_url(path_is(program_path))
    expect(flash_ok(staff)).to_be_visible()
    expect(staff.locator("#grants tbody tr", has_text=RECIPIENT)).to_have_count(1)
    history = staff.locator("#imports tbody tr").first
    expect(history.locator("td").nth(1)).to_have_text(EXAMPLE_FILE.name)
    expect(history.locator("td.num")).to_have_text(["14", "9", "10", "0"])


def read_claim_code(staff: Page, program_path: str, server: LiveServer) -> str:
    """The recipient's claim link, as printed on the programme's claim code list."""
    staff.locator(f"main a[href='{program_path}/kode-klaim']").click()
    expect(staff).to_have_url(path_is(f"{program_path}/kode-klaim"))
    line = staff.locator("#claim-codes tbody tr", has_text=RECIPIENT)
    expect(line).to_have_count(1)
    expect(line).to_contain_text(OWNER)
    expect(line).to_contain_text("0857-5123-4567")
    code = line.locator(".claim-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code), code
    link = line.locator(".claim-url").inner_text().strip()
    assert link == f"{server.url}/klaim/{code}"
    whatsapp = line.locator("a[href^='https://wa.me/']")
    expect(whatsapp).to_have_attribute("href", re.compile(r"^https://wa\.me/6285751234567\?"))
    return link


# --- 2. the recipient claims, completes the profile, uploads and submits -------------------

def register_and_claim(page: Page, link: str, address: str) -> int:
    """From the claim link to the producer's own page; the producer's id."""
    page.goto(link)
    expect(page.locator("#claim-producer")).to_contain_text(RECIPIENT)
    expect(page.locator("#claim-producer")).to_contain_text(OWNER)
    assert_accessible(page)

    page.locator("#claim-register").click()
    expect(page).to_have_url(re.compile(r"/daftar\?next="))
    page.fill("#name", OWNER)
    page.fill("#email", address)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.locator("input[name=account_type][value=producer]").check()
    page.locator("main form button[type=submit]").click()

    # Back on the claim page, signed in: one button makes the business theirs.
    expect(page).to_have_url(link)
    expect(page.locator("#claim-register")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(address)
    assert_accessible(page)
    page.locator("#confirm-claim").click()
    expect(page).to_have_url(re.compile(r"/produsen/\d+$"))
    expect(flash_ok(page)).to_contain_text(RECIPIENT)
    producer_id = int(page.url.rsplit("/", 1)[1])

    # The agency's data is there: the draft profile and the grant of the programme.
    expect(page.locator("h1")).to_have_text(RECIPIENT)
    expect(page.locator(f"#status .status-{ProducerStatus.DRAFT.value}")).to_be_visible()
    expect(page.locator("#profile")).to_contain_text(OWNER)
    grant = page.locator("#grants article.grant")
    expect(grant).to_have_count(1)
    expect(grant.locator("h3")).to_contain_text(PROGRAM)
    expect(grant).to_contain_text("Mesin jahit portable")
    expect(grant).to_contain_text("BAST/045/DPPKUKM/VI/2024")
    return producer_id


def complete_profile(page: Page, producer_id: int) -> None:
    page.locator("#edit-link").click()
    expect(page).to_have_url(path_is(f"/produsen/{producer_id}/profil"))
    expect(page.locator("#owner_name")).to_have_value(OWNER)
    expect(page.locator("#phone")).to_have_value("+6285751234567")
    page.fill("#nib", NIB)

    # The kelurahan through the kabupaten step, without JavaScript: choose the kabupaten,
    # "Show villages", then the village, grouped by kecamatan. What was typed stays.
    page.locator("#kabupaten").select_option(REGENCY)
    page.locator("button[name=action][value=choose_region]").click()
    expect(page.locator("#nib")).to_have_value(NIB)
    expect(page.locator("#kabupaten")).to_have_value(REGENCY)
    village = page.locator(f"#region_code optgroup[label='{DISTRICT}'] option[value='{VILLAGE}']")
    expect(village).to_have_text(VILLAGE_NAME)
    page.locator("#region_code").select_option(VILLAGE)
    page.locator("#profile-form p.actions button[type=submit]").click()

    expect(page).to_have_url(path_is(f"/produsen/{producer_id}"))
    expect(flash_ok(page)).to_be_visible()
    profile = page.locator("#profile")
    expect(profile).to_contain_text(NIB)
    expect(profile).to_contain_text(f"{VILLAGE_NAME}, {DISTRICT}, Kota Balikpapan")
    expect(profile).to_contain_text("+6285751234567")


def upload(page: Page, doc_type: str, number: str, photo: bytes, issued: str = "") -> None:
    section = page.locator(f"#dok-{doc_type}")
    section.locator(f"#{doc_type}-number").fill(number)
    if issued:
        section.locator(f"#{doc_type}-issued_on").fill(issued)
    section.locator(f"#{doc_type}-file").set_input_files(
        file_payload(f"{doc_type}.jpg", photo, "image/jpeg"))
    section.locator("form button[type=submit]").click()


def upload_documents_and_submit(page: Page, producer_id: int) -> None:
    page.locator("#documents-link").click()
    documents_path = f"/produsen/{producer_id}/dokumen"
    expect(page).to_have_url(path_is(documents_path))
    # A KUB: the chair's KTP, the NIB and the decree that formed the group; nothing else.
    sections = page.locator("section.document")
    expect(sections).to_have_count(3)
    assert sections.evaluate_all("all => all.map(s => s.id)") == [
        "dok-ktp", "dok-nib", "dok-sk_kelompok"]
    expect(page.locator("#submit-problems li")).to_have_count(3)
    expect(page.locator("#submit-button")).to_have_count(0)
    assert_accessible(page)

    upload(page, "ktp", NIK, jpeg("lightblue"))
    expect(page).to_have_url(path_is(documents_path))
    expect(flash_ok(page)).to_be_visible()
    expect(page.locator("#dok-ktp .badge-pending")).to_be_visible()
    expect(page.locator("#dok-ktp .document-number")).to_have_text(NIK_MASKED)
    assert NIK not in page.content(), "the NIK is shown unmasked"

    # The NIB on the document must be the profile's: another one is refused, by the field.
    upload(page, "nib", "9120001000073", jpeg("white"))
    expect(page.locator("#nib-number-error")).to_be_visible()
    expect(page.locator("#nib-number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#dok-nib .badge-missing")).to_be_visible()
    upload(page, "nib", NIB, jpeg("white"), issued="2021-03-02")
    expect(page.locator("#dok-nib .document-number")).to_have_text(NIB)

    upload(page, "sk_kelompok", GROUP_DECREE, jpeg("beige"), issued="2021-04-12")
    expect(page.locator("#dok-sk_kelompok .document-number")).to_have_text(GROUP_DECREE)
    expect(page.locator("section.document .badge-pending")).to_have_count(3)
    expect(page.locator("#submit-problems")).to_have_count(0)
    assert_accessible(page)

    page.locator("#submit-button").click()
    expect(page).to_have_url(path_is(documents_path))
    expect(flash_ok(page)).to_be_visible()
    expect(page.locator("#submit-button")).to_have_count(0)


# --- 3. staff review the documents and verify ------------------------------------------------

def review_and_verify(staff: Page, producer_id: int, server: LiveServer) -> None:
    staff.goto("/dinas")
    staff.locator("main a[href='/dinas/verifikasi']").click()
    expect(staff).to_have_url(path_is("/dinas/verifikasi"))
    row = staff.locator(f"#queue #producer-{producer_id}")
    expect(row).to_contain_text(RECIPIENT)
    expect(row).to_contain_text(PROGRAM)
    expect(row).to_contain_text(VILLAGE_NAME)
    expect(row.locator(".badge-pending")).to_contain_text("3")
    assert_accessible(staff)

    row.locator(f"a[href='/dinas/verifikasi/{producer_id}']").click()
    expect(staff).to_have_url(path_is(f"/dinas/verifikasi/{producer_id}"))
    expect(staff.locator("h1")).to_have_text(RECIPIENT)
    expect(staff.locator("main")).to_contain_text(NIK_MASKED)
    assert NIK not in staff.content(), "the NIK is shown unmasked to staff"
    assert_accessible(staff)

    # Staff open the photo of the KTP: served privately, to them.
    photo = staff.locator("section.document a[href$='/berkas']").first
    response = staff.request.get(server.url + (photo.get_attribute("href") or ""))
    assert response.status == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "private, no-store"

    forms = staff.locator("section.document form[action^='/dinas/verifikasi/dokumen/']")
    expect(forms).to_have_count(3)
    for done in range(3):
        form = forms.nth(done)
        form.locator("input[type=radio][value=accept]").check()
        form.locator("button[type=submit]").click()
        expect(flash_ok(staff)).to_be_visible()
        expect(staff.locator("section.document .badge-accepted")).to_have_count(done + 1)

    decision = staff.locator("#keputusan form")
    decision.locator("input[name=decision][value=verified]").check()
    decision.locator("button[type=submit]").click()
    expect(flash_ok(staff)).to_be_visible()
    verified = indonesian(server, STATUS_LABELS[ProducerStatus.VERIFIED])
    expect(staff.locator("#producer-status")).to_have_text(verified)
    expect(staff.locator("#audit-trail tr.event-document_review")).to_have_count(3)
    decided = staff.locator("#audit-trail tr.event-status").filter(has_text=STAFF_NAME)
    expect(decided).to_have_count(1)
    expect(decided).to_contain_text(verified)


# --- 4. the producer sees the decision --------------------------------------------------------

def sees_decision_on_phone(phone: Page, address: str, producer_id: int,
                           server: LiveServer) -> None:
    sign_in(phone, address, PASSWORD)
    expect(phone).to_have_url(path_is("/produsen"))
    card = phone.locator(f"#my-producers #producer-{producer_id}")
    expect(card.locator(f".status-{ProducerStatus.VERIFIED.value}")).to_be_visible()
    card.locator(f"h2 a[href='/produsen/{producer_id}']").click()

    expect(phone).to_have_url(path_is(f"/produsen/{producer_id}"))
    status = phone.locator(f"#status .status-{ProducerStatus.VERIFIED.value}")
    expect(status).to_have_text(VERIFIED_WORD)
    notice = phone.locator("#notices li").first
    expect(notice).to_contain_text(indonesian(server, NOTICE_TEXTS["verification_verified"]))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the producer page scrolls sideways: {width}px wide"
    assert_accessible(phone)


def decision_email(outbox: Path, address: str) -> EmailMessage:
    """The one email to ``address`` in the outbox."""
    mine = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            mine.append(message)
    assert len(mine) == 1, f"one email to {address} expected, found {len(mine)}"
    return mine[0]


def test_aid_recipient_becomes_verified_seller(page: Page, staff_page: Page, phone_page: Page,
                                               live_server: LiveServer, outbox: Path) -> None:
    address = f"siti.aisyah-{uuid.uuid4().hex[:8]}@contoh.test"

    program_path = open_programme(staff_page)
    import_recipients(staff_page, program_path)
    link = read_claim_code(staff_page, program_path, live_server)

    producer_id = register_and_claim(page, link, address)
    complete_profile(page, producer_id)
    upload_documents_and_submit(page, producer_id)

    review_and_verify(staff_page, producer_id, live_server)

    page.reload()
    expect(page.locator("#producer-status")).to_have_text(
        indonesian(live_server, STATUS_LABELS[ProducerStatus.VERIFIED]))
    sees_decision_on_phone(phone_page, address, producer_id, live_server)

    message = decision_email(outbox, address)
    assert message["Subject"] == indonesian(live_server, "Your shop is verified on Pasar Binaan")
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert RECIPIENT in text
    assert f"{live_server.url}/produsen/{producer_id}/dokumen" in text

    # The claim code was single use: the link now says so.
    page.goto(link)
    expect(page.locator("#claim-refused")).to_have_attribute("data-reason", "used")

