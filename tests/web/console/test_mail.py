"""The console's mail and fax pages: every URL, who may use it, and what it shows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from soutien.channels.mail import keys
from soutien.channels.mail.models import ContactFax, InboundEmail, Mailbox, ServerCopy
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Attachment, Channel, Ticket
from tests import factories


@pytest.fixture
def console(tech1) -> Client:
    # The assertions read the English interface.
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(tech1)
    return client


@pytest.fixture
def manager_console(manager) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(manager)
    return client


@pytest.fixture
def box(db) -> Mailbox:
    return Mailbox.objects.create(
        name="Soutien", address="support@soutien.example", host="127.0.0.1", port=1,
        security="none", username="support", password_encrypted=keys.encrypt_password("pw"),
    )  # fmt: skip


def stored(box: Mailbox, uid: int, **fields) -> InboundEmail:
    values = {
        "key": f"k{uid}", "message_id": f"m{uid}@x", "mailbox": box, "raw": b"Subject: x\n\nx",
        "size": 12, "arrived_at": timezone.now(), "from_address": "marc@x.example",
        "subject": f"Sujet {uid}",
    }  # fmt: skip
    values.update(fields)
    email = InboundEmail.objects.create(**values)
    ServerCopy.objects.create(mailbox=box, uidvalidity=1, uid=uid, state="stored", email=email,
                              server_done_at=timezone.now())  # fmt: skip
    return email


def test_clients_and_anonymous_people_cannot_enter(contact, box):
    anonymous = Client()
    assert anonymous.get("/console/courriel/").status_code == 302
    client = Client()
    client.force_login(contact)
    for url in (
        "/console/courriel/",
        f"/console/courriel/boites/{box.pk}/",
        "/console/telecopies/nouvelle/",
    ):
        assert client.get(url)["Location"] == "/portail/"


def test_the_mailbox_list_shows_counts_and_alarms_in_few_queries(
    console, box, django_assert_max_num_queries
):
    for uid in range(5):
        stored(box, uid, status="imported")
    stored(box, 9, status="quarantined", reason="no sender address (From) could be read")
    Mailbox.objects.filter(pk=box.pk).update(consecutive_failures=4, last_error="timed out")
    with django_assert_max_num_queries(6):
        page = console.get("/console/courriel/").content.decode()
    assert "Soutien" in page
    assert "The last 4 polls failed: timed out" in page
    assert "Seen 6, imported or set aside for a reason 5: 1 in quarantine" in page


def test_the_mailbox_page_lists_the_quarantine_with_reasons_and_retry_buttons(console, box):
    bad = stored(box, 1, status="quarantined", reason="MIME parts nested too deeply")
    stored(box, 2, status="imported")
    ServerCopy.objects.create(mailbox=box, uidvalidity=1, uid=3, state="unreadable",
                              error="NO [SERVERBUG]")  # fmt: skip
    page = console.get(f"/console/courriel/boites/{box.pk}/").content.decode()
    assert "MIME parts nested too deeply" in page
    assert f"/console/courriel/recus/{bad.pk}/reessayer/" in page
    assert "NO [SERVERBUG]" in page
    assert "Sujet 2" in page
    refused = ServerCopy.objects.get(uid=3)
    r = console.post(f"/console/courriel/copies/{refused.pk}/reessayer/")
    assert r.status_code == 302
    refused.refresh_from_db()
    assert (refused.state, refused.fetch_attempts) == ("listed", 0)


def test_only_managers_configure_mailboxes(console, manager_console, box):
    assert console.get("/console/courriel/boites/nouvelle/").status_code == 302
    assert console.post(f"/console/courriel/boites/{box.pk}/modifier/", {}).status_code == 302
    assert manager_console.get("/console/courriel/boites/nouvelle/").status_code == 200
    page = manager_console.get(f"/console/courriel/boites/{box.pk}/modifier/").content.decode()
    assert 'value="support"' in page
    assert "pw" not in page.split('name="password"')[1][:200]  # never shown again


def test_a_manager_connects_a_mailbox_and_its_password_is_stored_encrypted(manager_console):
    data = {
        "name": "Fax", "address": "fax@soutien.example", "host": "imap.example.com",
        "port": "993", "security": "ssl", "username": "fax@soutien.example",
        "password": "très-secret", "password_env": "", "folder": "INBOX",
        "after_import": "move", "move_to": "", "is_fax_gateway": "on",
        "unknown_sender": "identify", "language": "fr", "poll_every_minutes": "2",
        "is_active": "on",
    }  # fmt: skip
    r = manager_console.post("/console/courriel/boites/nouvelle/", data)
    assert r.status_code == 400
    assert "Say which folder to move messages to." in r.content.decode()
    data["move_to"] = "Traités"
    r = manager_console.post("/console/courriel/boites/nouvelle/", data)
    assert r.status_code == 302
    mailbox = Mailbox.objects.get(name="Fax")
    assert mailbox.is_fax_gateway
    assert "très-secret" not in mailbox.password_encrypted
    assert keys.decrypt_password(mailbox.password_encrypted) == "très-secret"
    data["password"] = ""
    data["poll_every_minutes"] = "5"
    manager_console.post(f"/console/courriel/boites/{mailbox.pk}/modifier/", data)
    mailbox.refresh_from_db()
    assert mailbox.poll_every_minutes == 5
    assert keys.decrypt_password(mailbox.password_encrypted) == "très-secret"


def test_test_connection_and_poll_now_report_without_errors_pages(manager_console, box):
    r = manager_console.post(f"/console/courriel/boites/{box.pk}/tester/", follow=True)
    assert r.status_code == 200
    assert "The connection failed" in r.content.decode()
    r = manager_console.post(f"/console/courriel/boites/{box.pk}/relever/", follow=True)
    assert r.status_code == 200
    assert "will be polled in a moment" in r.content.decode()


def test_an_email_page_shows_sanitized_html_with_inline_images_and_blocks_remote_ones(
    console, box, contact
):
    ticket = factories.ticket(contact=contact)
    attachment = Attachment.objects.create(
        ticket=ticket, name="image001.png", content_type="image/png", size=3, sha256="0",
        uploaded_by=contact, file="attachments/x.png",
    )  # fmt: skip
    email = stored(
        box, 1, status="imported", ticket=ticket, content_ids={"image001@x": attachment.pk},
        html='<p>Voir</p><img src="cid:image001@x"><img src="https://tracker.example/p.gif">'
             "<script>alert(1)</script>",
        text="Voir",
    )  # fmt: skip
    page = console.get(f"/console/courriel/recus/{email.pk}/").content.decode()
    assert "1 remote image was not loaded" in page
    # The email itself is shown in a frame of its own, under a policy of its own.
    assert f'src="/console/courriel/recus/{email.pk}/html/"' in page
    framed = console.get(f"/console/courriel/recus/{email.pk}/html/")
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert "script-src" not in framed["Content-Security-Policy"]
    assert "default-src 'none'" in framed["Content-Security-Policy"]
    frame = framed.content.decode()
    assert f'src="/fichiers/{attachment.pk}/"' in frame
    assert "tracker.example" not in frame
    assert "alert(1)" not in frame
    shown = console.get(f"/console/courriel/recus/{email.pk}/?images=1").content.decode()
    assert f'src="/console/courriel/recus/{email.pk}/html/?images=1"' in shown
    remote = console.get(f"/console/courriel/recus/{email.pk}/html/?images=1")
    assert 'src="https://tracker.example/p.gif"' in remote.content.decode()
    assert "https:" in remote["Content-Security-Policy"]


def test_the_original_email_downloads_as_a_file_never_as_a_page(console, box):
    email = stored(box, 1, raw=b"Subject: x\n\n<script>alert(1)</script>")
    r = console.get(f"/console/courriel/recus/{email.pk}/brut/")
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"] == f'attachment; filename="email-{email.pk}.eml"'
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" in r.content


def test_a_requests_emails_and_the_outbound_queue(console, contact, box):
    ticket = factories.ticket(contact=contact, subject="Export")
    stored(box, 1, status="imported", ticket=ticket)
    row = OutboundEmail.objects.get(ticket=ticket)
    OutboundEmail.objects.filter(pk=row.pk).update(status="failed", last_error="550 no such user")
    page = console.get(f"/console/courriel/demandes/{ticket.pk}/").content.decode()
    assert "Sujet 1" in page
    assert "550 no such user" in page
    assert (
        f"/console/courriel/demandes/{ticket.pk}/"
        in console.get(f"/console/demandes/{ticket.pk}/").content.decode()
    )
    failed = console.get("/console/courriel/envois/?status=failed").content.decode()
    assert "550 no such user" in failed
    assert console.get("/console/courriel/envois/?status=nope").status_code == 404
    r = console.post(f"/console/courriel/envois/{row.pk}/renvoyer/")
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.status == "queued"


def test_staff_file_a_scanned_fax_and_its_number_is_kept_on_the_contact(console, contact, org):
    scan = SimpleUploadedFile("fax.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    r = console.post(
        "/console/telecopies/nouvelle/",
        {
            "organization": org.pk, "contact": contact.pk, "fax_number": "514 555-0199",
            "subject": "Bon de commande par télécopieur", "body": "Reçu ce matin.",
            "scans": [scan],
        },
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.FAX
    assert list(ticket.attachments.values_list("name", flat=True)) == ["fax.pdf"]
    assert ContactFax.objects.get(contact=contact).digits == "5145550199"
    bad = SimpleUploadedFile("notes.docx", b"PK", content_type="application/octet-stream")
    r = console.post(
        "/console/telecopies/nouvelle/",
        {"organization": org.pk, "contact": contact.pk, "subject": "x", "scans": [bad]},
    )
    assert r.status_code == 400
    assert "A scanned fax is a PDF, TIFF, PNG or JPEG file" in r.content.decode()
