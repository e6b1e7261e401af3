from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from soutien.accounts.models import LoginFailure
from soutien.contracts.services import time_entry_create
from soutien.core.errors import NotAllowed, NotFound
from soutien.privacy import services
from soutien.privacy.models import AccessEntry
from soutien.ticketing.services import Upload, message_add
from tests import factories
from tests.newsletter.fixtures import subscribed

pytestmark = pytest.mark.django_db


def _open(export):
    archive = zipfile.ZipFile(io.BytesIO(bytes(export.data)))
    return archive, json.loads(archive.read("data.json"))


def _rows(archive, name):
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def people(org, other_org, tech1, manager):
    marc = factories.contact(org, name="Marc Gagnon")
    julie = factories.contact(org, name="Julie Tremblay")
    mine = factories.ticket(contact=marc, subject="Marc : page blanche", body="Texte de Marc")
    message_add(
        actor=marc,
        ticket=mine,
        kind="client",
        body="Marc répond",
        uploads=[Upload(name="marc.txt", content=io.BytesIO(b"marc"), size=4)],
    )
    message_add(actor=tech1, ticket=mine, kind="reply", body="Réponse du technicien")
    theirs = factories.ticket(contact=julie, subject="Julie : imprimante", body="Texte de Julie")
    message_add(
        actor=julie,
        ticket=theirs,
        kind="client",
        body="Julie répond",
        uploads=[Upload(name="julie.txt", content=io.BytesIO(b"julie"), size=5)],
    )
    LoginFailure.objects.create(username=marc.email.upper(), address="192.0.2.7")
    LoginFailure.objects.create(username=julie.username, address="192.0.2.8")
    return {"marc": marc, "julie": julie, "mine": mine, "theirs": theirs}


def test_export_holds_the_persons_data_and_nothing_of_another(people, manager):
    marc = people["marc"]

    export = services.export_request(actor=manager, person=marc)

    archive, data = _open(export)
    names = set(archive.namelist())
    assert {"README.txt", "data.json", "profile.csv", "requests.csv", "messages.csv"} <= names
    assert {"attachments.csv", "time_entries.csv", "newsletter.csv", "sign_ins.csv"} <= names
    assert data["profile"]["email"] == marc.email
    assert [r["subject"] for r in data["requests"]] == ["Marc : page blanche"]
    assert [m["body"] for m in data["messages"]] == ["Marc répond"]
    assert [a["name"] for a in data["attachments"]] == ["marc.txt"]
    file_names = [n for n in names if n.startswith("files/")]
    assert len(file_names) == 1
    assert archive.read(file_names[0]) == b"marc"
    assert [s["event"] for s in data["sign_ins"]].count("failed_sign_in") == 1
    blob = archive.read("data.json").decode() + "".join(
        archive.read(n).decode("utf-8-sig") for n in names if n.endswith(".csv")
    )
    for foreign in ("Julie", "julie", "imprimante", "192.0.2.8", "Réponse du technicien"):
        assert foreign not in blob
    assert _rows(archive, "requests.csv")[0]["subject"] == "Marc : page blanche"


def test_export_records_the_request_then_its_delivery(people, manager):
    marc = people["marc"]
    export = services.export_request(actor=manager, person=marc)
    assert export.requested_by == manager
    assert export.ready_at is not None
    assert export.delivered_at is None

    delivered = services.export_download(actor=manager, export=export)
    again = services.export_download(actor=marc, export=export)

    assert delivered.delivered_at is not None
    assert again.delivered_at == delivered.delivered_at
    assert again.downloads == 2
    assert AccessEntry.objects.filter(person=marc, viewer=manager, where="export").count() == 1


def test_time_entries_and_consents_are_included(people, manager, tech1, consent_text):
    marc = people["marc"]
    time_entry_create(
        actor=tech1,
        ticket=people["mine"],
        started_at=timezone.now() - timedelta(hours=2),
        minutes=30,
        note="Note du technicien",
    )
    subscribed(marc.email, staff=manager)
    subscribed(people["julie"].email, staff=manager)

    _archive, data = _open(services.export_request(actor=manager, person=marc))

    assert [e["minutes"] for e in data["time_entries"]] == [30]
    assert data["time_entries"][0]["note"] == ""
    assert data["time_entries"][0]["logged_by_you"] is False
    assert [(c["kind"], c["email"]) for c in data["newsletter"]] == [("express", marc.email)]


def test_a_person_may_export_their_own_information(people):
    marc = people["marc"]
    export = services.export_request(actor=marc, person=marc)
    assert export.person == marc
    assert not AccessEntry.objects.filter(person=marc).exists()


def test_a_client_cannot_export_another_person(people):
    with pytest.raises(NotFound):
        services.export_request(actor=people["julie"], person=people["marc"])


def test_a_technician_cannot_export_another_person(people, tech1):
    with pytest.raises(NotAllowed):
        services.export_request(actor=tech1, person=people["marc"])


def test_someone_else_cannot_download_an_export(people, manager, tech1):
    export = services.export_request(actor=manager, person=people["marc"])
    for stranger in (people["julie"], tech1):
        with pytest.raises(NotFound):
            services.export_download(actor=stranger, export=export)


def test_a_staff_members_export_holds_what_they_wrote_and_logged(people, manager, tech1):
    time_entry_create(
        actor=tech1,
        ticket=people["mine"],
        started_at=timezone.now() - timedelta(hours=3),
        minutes=45,
        note="Note du technicien",
    )

    _archive, data = _open(services.export_request(actor=manager, person=tech1))

    assert [m["body"] for m in data["messages"]] == ["Réponse du technicien"]
    assert data["requests"] == []
    assert [(e["minutes"], e["note"]) for e in data["time_entries"]] == [(45, "Note du technicien")]


def test_large_files_are_listed_not_included(people, manager, settings):
    from soutien.privacy import export as exporting

    settings.SOUTIEN_MAX_ATTACHMENT_BYTES = 10_000_000
    marc = people["marc"]
    big = b"x" * (exporting.FILE_LIMIT + 1)
    message_add(
        actor=marc,
        ticket=people["mine"],
        kind="client",
        body="Le gros fichier",
        uploads=[Upload(name="gros.log", content=io.BytesIO(big), size=len(big))],
    )

    archive, data = _open(services.export_request(actor=manager, person=marc))

    listed = {a["name"]: a["file"] for a in data["attachments"]}
    assert listed["gros.log"] == ""
    assert listed["marc.txt"].startswith("files/")
    assert len([n for n in archive.namelist() if n.startswith("files/")]) == 1


def test_the_export_includes_the_access_log_and_the_emails_sent(people, manager, tech1):
    from soutien.outbound.models import OutboundEmail

    marc = people["marc"]
    services.access_record(viewer=tech1, person=marc, where=AccessEntry.Where.CONSOLE)
    OutboundEmail.objects.create(
        template="ack", language="fr", to_address=marc.email.upper(), subject="Accusé",
        message_id="<ack-1@soutien.example>", status="sent",
    )  # fmt: skip

    _archive, data = _open(services.export_request(actor=manager, person=marc))

    assert [(a["viewer"], a["where"]) for a in data["access_log"]] == [
        ("Théo Premier", "console"),
        ("Geneviève Gestion", "export"),
    ]
    assert "Accusé" in [e["subject"] for e in data["emails"]]


def test_the_access_log_is_append_only(people, tech1):
    entry = services.access_record(viewer=tech1, person=people["marc"], where="console")
    assert entry is not None
    entry.where = "api"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_sign_in_history_lists_the_addresses_they_signed_in_from(people, manager):
    from soutien.accounts.models import KnownAddress

    KnownAddress.objects.create(user=people["marc"], address="198.51.100.4")
    KnownAddress.objects.create(user=people["julie"], address="198.51.100.9")

    _archive, data = _open(services.export_request(actor=manager, person=people["marc"]))

    known = [r["detail"] for r in data["sign_ins"] if r["event"] == "known_address"]
    assert len(known) == 1
    assert known[0].startswith("198.51.100.4")
    assert "198.51.100.9" not in json.dumps(data)


def test_two_factor_is_reported_without_its_secrets(manager, tech1):
    from tests.two_factor import turn_on

    device, codes = turn_on(tech1)

    archive, data = _open(services.export_request(actor=manager, person=tech1))

    events = {r["event"]: r["detail"] for r in data["sign_ins"]}
    assert events["two_factor_on"] == f"{len(codes)} recovery codes left"
    blob = b"".join(archive.read(n) for n in archive.namelist())
    assert device.key.encode() not in blob
    assert not any(code.encode() in blob for code in codes)
