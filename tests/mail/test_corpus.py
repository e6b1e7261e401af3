"""The corpus: 55 messages shaped like real mail, delivered to Dovecot, polled, each checked."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import tomllib
from email.message import EmailMessage
from pathlib import Path

import pytest

from soutien.accounts.models import ClientRole, Organization, User
from soutien.accounts.services import TO_IDENTIFY
from soutien.channels.mail import intake
from soutien.channels.mail.content import render_html
from soutien.channels.mail.models import ContactFax, InboundEmail, Mailbox, ServerCopy
from soutien.channels.mail.parsing import Unreadable, identity, parse
from soutien.outbound import message_ids
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Attachment, MessageKind, Ticket
from tests import factories
from tests.mail.conftest import FAX, person

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text())
FILES = sorted(p.name for p in CORPUS.glob("*.eml"))
PLACEHOLDER = re.compile(r"\{\{([A-Z]+):(\w+)\}\}")


def test_the_corpus_has_forty_messages_or_more_each_with_its_expected_result():
    assert len(FILES) >= 40
    assert set(FILES) <= set(EXPECTED)
    assert {name for name in EXPECTED if name.endswith(".eml")} == set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_corpus_message_is_read_without_crashing(name):
    raw = (CORPUS / name).read_bytes()
    ident = identity(raw)
    assert ident.key
    assert ident.message_id
    if EXPECTED[name].get("unreadable"):
        with pytest.raises(Unreadable):
            parse(raw)
        return
    parsed = parse(raw)
    for text in (parsed.subject, parsed.text, parsed.from_address):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates: PostgreSQL would refuse them


def big_attachment_message() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Marc Gagnon <marc.gagnon@saint-laurent.example>"
    msg["To"] = "support@soutien.example"
    msg["Subject"] = "Journal complet du serveur (25 Mo)"
    msg["Date"] = "Fri, 27 Nov 2026 15:30:00 -0500"
    msg["Message-ID"] = "<big-attachment-25mb@saint-laurent.example>"
    msg.set_content("Voici le journal complet du serveur, compressé.")
    data = random.Random(25).randbytes(25_000_000)
    msg.add_attachment(
        data, maintype="application", subtype="zip", filename="serveur-journal-complet.zip"
    )
    return msg.as_bytes()


class World:
    """The organizations, people and requests the corpus talks about."""

    def __init__(self, make_mailbox) -> None:
        self.orgs = {
            "saint-laurent": factories.organization("Ville de Saint-Laurent"),
            "maple": factories.organization("Maple Health Inc.", language="en"),
            "beaubien": factories.organization("Clinique Beaubien"),
        }
        self.marc = person(
            self.orgs["saint-laurent"], "marc.gagnon@saint-laurent.example", "Marc Gagnon"
        )
        julie = person(
            self.orgs["saint-laurent"], "julie.tremblay@saint-laurent.example", "Julie Tremblay"
        )
        User.objects.filter(pk=julie.pk).update(client_role=ClientRole.CLIENT_ADMIN)
        self.sarah = person(
            self.orgs["maple"], "sarah.wilson@maplehealth.example", "Sarah Wilson", "en"
        )
        nadia = person(self.orgs["beaubien"], "nadia.roy@cliniquebeaubien.example", "Nadia Roy")
        ContactFax.objects.create(contact=nadia, number="514 555-0199", digits="5145550199")
        staff = factories.staff(levels=(1,), name="Théo Premier")
        User.objects.filter(pk=staff.pk).update(email="tech@soutien.example")
        self.tickets = {
            "T1": factories.ticket(contact=self.marc, subject="Problème d'affichage"),
            "T2": factories.ticket(contact=self.sarah, subject="Search results are empty"),
        }
        self.support = make_mailbox(prefix="support")
        self.fax = make_mailbox(prefix="fax", address=FAX, is_fax_gateway=True)

    def fill(self, data: bytes) -> bytes:
        def value(match: re.Match[str]) -> str:
            kind, alias = match[1], match[2]
            ticket = self.tickets[alias]
            if kind == "NUM":
                return ticket.number
            if kind == "ROOT":
                return message_ids.root_message_id(ticket.pk)
            if kind == "ACK":
                return OutboundEmail.objects.get(
                    ticket=ticket, template="acknowledgement"
                ).message_id
            if kind == "OWN":
                return message_ids.new_message_id(ticket.pk)
            if kind == "FORGED":
                nonce = "0123456789abcdef"
                wrong = hmac.new(b"not our key", f"{ticket.pk}.{nonce}".encode(), hashlib.sha256)
                return f"soutien.{ticket.pk}.{nonce}.{wrong.hexdigest()[:24]}@soutien.example"
            raise AssertionError(kind)

        return PLACEHOLDER.sub(value, data.decode("latin-1")).encode("latin-1")


def displayed(email: InboundEmail) -> str:
    if email.client_message is not None:
        return email.client_message.body
    assert email.ticket is not None
    return email.ticket.body


def kept_files(email: InboundEmail) -> list[str]:
    assert email.ticket is not None
    files = Attachment.objects.filter(ticket=email.ticket, message=email.client_message)
    return sorted(files.values_list("name", flat=True))


def check(name: str, want: dict, email: InboundEmail, world: World, emails: dict) -> list[str]:
    errors: list[str] = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            errors.append(f"{name}: {what}")

    status = want["status"]
    if status == "duplicate":
        expect(email.pk == emails[want["same_as"]].pk, "not recognized as the same message")
        return errors
    expect(email.status == status, f"status {email.status!r} ({email.reason}), wanted {status!r}")
    if "reason" in want:
        expect(want["reason"] in email.reason, f"reason {email.reason!r} lacks {want['reason']!r}")
    if status != "imported" or email.ticket is None:
        expect(status != "imported", "imported without a request")
        return errors
    ticket = email.ticket
    if "thread" in want:
        target = world.tickets[want["thread"]]
        expect(ticket.pk == target.pk, f"went to #{ticket.pk}, not {want['thread']} #{target.pk}")
        expect(email.client_message is not None, "not added as a message")
        if email.client_message is not None:
            expect(email.client_message.kind == MessageKind.CLIENT, "not a client message")
    else:
        expect(email.client_message is None, f"threaded into #{ticket.pk} instead of a new request")
        if "new" in want:
            world.tickets[want["new"]] = ticket
    if "organization" in want:
        org = want["organization"]
        expected_org = (
            Organization.objects.get(name=TO_IDENTIFY) if org == "to-identify" else world.orgs[org]
        )
        expect(ticket.organization_id == expected_org.pk, f"organization {ticket.organization}")
    author = email.client_message.author if email.client_message else ticket.contact
    if "contact" in want:
        expect(author.email == want["contact"], f"contact {author.email}")
    if "contact_name" in want:
        expect(author.full_name == want["contact_name"], f"contact named {author.full_name!r}")
    if "channel" in want:
        expect(ticket.channel == want["channel"], f"channel {ticket.channel}")
    if "subject" in want:
        expect(ticket.subject == world.fill(want["subject"].encode("utf-8")).decode("utf-8"),
               f"subject {ticket.subject!r}")  # fmt: skip
    for piece in want.get("subject_contains", []):
        expect(piece in ticket.subject, f"subject {ticket.subject!r} lacks {piece!r}")
    if "subject_length" in want:
        expect(
            len(ticket.subject) == want["subject_length"], f"subject length {len(ticket.subject)}"
        )
    text = displayed(email)
    for piece in want.get("contains", []):
        expect(piece in text, f"text lacks {piece!r}: {text[:300]!r}")
    for piece in want.get("excludes", []):
        expect(piece not in text, f"text shows {piece!r}: {text[:300]!r}")
    if "attachments" in want:
        files = kept_files(email)
        expect(files == sorted(want["attachments"]), f"files {files}")
    for piece in want.get("html_contains", []):
        expect(piece in email.html, f"HTML lacks {piece!r}")
    for piece in want.get("html_excludes", []):
        expect(piece not in email.html, f"HTML keeps {piece!r}: {email.html[:400]!r}")
    if "inline_images" in want:
        images = {cid: f"/fichiers/{pk}/" for cid, pk in email.content_ids.items()}
        shown = render_html(email.html, images)
        count = shown.html.count('src="/fichiers/')
        expect(count == want["inline_images"], f"{count} inline images shown")
    if "remote_images" in want:
        blocked = render_html(email.html, {}).remote_images_blocked
        expect(blocked == want["remote_images"], f"{blocked} remote images blocked")
    if "message_id_startswith" in want:
        expect(email.message_id.startswith(want["message_id_startswith"]), email.message_id)
    return errors


def test_corpus_against_dovecot(make_mailbox, dovecot):
    world = World(make_mailbox)
    uids: dict[str, tuple[Mailbox, int]] = {}
    for name in FILES:
        box = world.fax if EXPECTED[name].get("mailbox") == "fax" else world.support
        raw = world.fill((CORPUS / name).read_bytes())
        uids[name] = (box, dovecot.append(box.username, raw))
    uids["generated-25mb-attachment"] = (
        world.support,
        dovecot.append(world.support.username, big_attachment_message()),
    )

    reports = [intake.poll(mailbox=world.support), intake.poll(mailbox=world.fax)]
    assert [r.error for r in reports] == ["", ""]

    emails = {}
    errors: list[str] = []
    for name, (box, uid) in uids.items():
        copy = ServerCopy.objects.select_related("email").get(mailbox=box, uid=uid)
        assert copy.email is not None, f"{name} was not stored"
        emails[name] = copy.email
        errors += check(name, EXPECTED[name], copy.email, world, emails)
    assert not errors, "\n".join(errors)

    # Every message was read once and flagged on the server, none left behind.
    assert InboundEmail.objects.count() == len(uids) - 1  # 52 is 01 seen again
    assert InboundEmail.objects.filter(status=InboundEmail.Status.RECEIVED).count() == 0
    for box in (world.support, world.fax):
        flags = dovecot.state(box.username)
        assert all(b"\\Seen" in f for f in flags.values())
    # Clients' answers are not our response.
    for alias in ("T1", "T2"):
        world.tickets[alias].refresh_from_db()
        assert world.tickets[alias].first_responded_at is None
    assert Ticket.objects.filter(first_responded_at__isnull=False).count() == 0
