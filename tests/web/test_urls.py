"""Every URL of the three sites: its name gives back its address, and its page answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from soutien.agreements import services as agreements
from soutien.channels.mail import keys
from soutien.channels.mail.models import InboundEmail, Mailbox, ServerCopy
from soutien.contracts.models import HourBank, Plan
from soutien.contracts.services import time_entry_create
from soutien.kb import services as kb_services
from soutien.kb.models import Category, Kind
from soutien.newsletter import issues, tokens
from soutien.newsletter import services as newsletter_services
from soutien.newsletter.models import ConsentText, ResolvedProblem, Suppression
from soutien.notifications.satisfaction import rating_token
from soutien.privacy import services as privacy
from soutien.privacy.models import Incident
from soutien.satisfaction.services import guarantee_invoke, rating_record
from soutien.sla import configuration
from soutien.sla.models import ServiceCalendar
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from soutien.training import services as training_services
from soutien.workspace import services as workspace_services
from tests import factories
from tests.kb.fixtures import *  # noqa: F403  (the publish and writer fixtures)
from tests.web.helpers import signed_in

SITES = ("public", "portal", "console")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _routes() -> list[tuple[str, list[str]]]:
    """(namespace:name, the names of its address's parameters) for every route of the sites."""
    routes = []
    for site in get_resolver().url_patterns:
        if isinstance(site, URLResolver) and site.namespace in SITES:
            for route in site.url_patterns:
                assert isinstance(route, URLPattern), "the sites do not nest URL confs"
                assert route.name, f"{site.namespace}: {route.pattern} has no name"
                routes.append((f"{site.namespace}:{route.name}", list(route.pattern.converters)))
    return routes


ROUTES = _routes()


def test_each_site_has_one_namespace_and_names_are_unique():
    namespaces = {
        p.namespace for p in get_resolver().url_patterns if isinstance(p, URLResolver)
    } - {None, "admin", "api-v1"}
    assert namespaces == set(SITES)
    names = [name for name, _ in ROUTES]
    assert len(names) == len(set(names))


def _newsletter(manager, tech1, ticket) -> dict[str, object]:
    """A published issue with an image, a subscriber, a problem worth telling, a suppression."""
    ConsentText.objects.create(version="v1", text_fr="Oui.", text_en="Yes.")
    newsletter_services.settings_save(
        actor=manager, sender_name="EBI", postal_address="Montréal", reach="soutien@ebi.example"
    )
    reader, _ = newsletter_services.subscribe(actor=tech1, email="r@x.example", source="console")
    _, request = newsletter_services.subscribe(
        actor=None, email="q@x.example", source="public_form"
    )
    issue = issues.issue_create(actor=manager, month=date(2026, 11, 1), intro_fr="a", intro_en="b")
    image = issues.issue_image_add(actor=manager, issue=issue, name="a.png", content=PNG)
    issues.issue_send(actor=manager, issue=issue)
    problem = ResolvedProblem.objects.create(
        ticket=ticket, title_fr="a", title_en="b", summary_fr="c", summary_en="d"
    )
    suppression = Suppression.objects.create(email="gone@x.example", reason="manual")
    assert request is not None
    return {
        "issue_id": issue.pk,
        "month": issue.slug,
        "key": image.key.hex,
        "language": "en",
        "subscriber_id": reader.pk,
        "token": tokens.reader_token(reader.pk),
        "confirmation": tokens.confirmation_token(request.pk),
        "problem_id": problem.pk,
        "suppression_id": suppression.pk,
    }


def _agreement_sent(manager, client_admin):
    """A development agreement sent to the client administrator, and an approval delegate."""
    assert client_admin.organization is not None
    engineer = factories.staff(levels=(3,))
    ticket = factories.ticket(contact=client_admin, subject="Sur mesure")
    services.ticket_set_level(actor=manager, ticket=ticket, level=3)
    today = timezone.localdate()
    agreement = agreements.agreement_create(
        actor=engineer, ticket=ticket, solution="Un module.", estimate_minutes=600,
        delivery_on=today + timedelta(days=60),
        milestones=[agreements.MilestoneInput(title="Maquette", due_on=today + timedelta(days=30))],
    )  # fmt: skip
    delegate = agreements.delegate_name(actor=manager, user=engineer)
    for action in ("propose", "approve", "send"):
        agreements.agreement_transition(actor=engineer, agreement=agreement, action=action)
    return agreement, delegate


@pytest.fixture
def world(publish, writer, manager, tech1, org, client_admin):
    """One of each thing an address of the sites can name, and who visits each site."""
    factories.spec4_banks(manager, org)
    contact = factories.contact(org)
    ticket = factories.ticket(contact=contact, actor=manager, subject="Tout")
    reply = services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Voilà")
    entry = time_entry_create(
        actor=tech1, ticket=ticket, started_at=timezone.now() - timedelta(hours=1), minutes=30
    )
    calendar = ServiceCalendar.objects.order_by("pk").first()
    assert calendar is not None
    closure = configuration.closure_add(
        actor=manager, calendar=calendar, day=date(2030, 1, 2), reason="Inventaire"
    )
    category = Category.objects.create(name_fr="Publication", slug="publication")
    article = publish("Imprimer une facture", "Ouvrez le menu.", kind=Kind.FAQ, category=category)
    image = kb_services.article_file_add(actor=writer, article=article, name="a.png", content=PNG)
    box = Mailbox.objects.create(
        name="Soutien", address="support@soutien.example", host="127.0.0.1", port=1,
        security="none", username="support", password_encrypted=keys.encrypt_password("pw"),
    )  # fmt: skip
    email = InboundEmail.objects.create(
        key="k1", message_id="m1@x", mailbox=box, raw=b"Subject: x\n\nx", size=12,
        arrived_at=timezone.now(), from_address="marc@x.example", subject="Sujet",
    )  # fmt: skip
    copy = ServerCopy.objects.create(
        mailbox=box, uidvalidity=1, uid=1, state="stored", email=email,
        server_done_at=timezone.now(),
    )  # fmt: skip
    agreement, delegate = _agreement_sent(manager, client_admin)
    room = factories.room()
    trainer = factories.trainer()
    training = factories.training_request(contact=contact)
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    session = training_services.session_schedule(
        actor=manager, training=training, trainer=trainer, room=room, starts_at=start,
        ends_at=start + timedelta(hours=2), override=True,
    )  # fmt: skip
    time_off = training_services.time_off_add(
        actor=manager, person=trainer, starts_at=start + timedelta(days=7),
        ends_at=start + timedelta(days=8),
    )  # fmt: skip
    feed = training_services.calendar_feed_create(actor=manager)
    saved_view = workspace_services.view_save(actor=manager, name="Vue", params={"level": "1"})
    macro = workspace_services.macro_save(actor=manager, name="M", body_fr="Oui.", body_en="Yes.")
    newsletter = _newsletter(manager, tech1, ticket)
    solved = factories.ticket(contact=contact, actor=manager, subject="Réglé")
    services.ticket_change_status(actor=manager, ticket=solved, status="resolved")
    rating = rating_record(ticket=solved, value="bad", actor=None, via="email")
    bank = HourBank.objects.order_by("pk").first()
    plan = Plan.objects.order_by("pk").first()
    assert bank is not None
    assert plan is not None
    incident = Incident.objects.create(
        occurred_on=date(2026, 10, 1), discovered_on=date(2026, 10, 2), nature="x",
        information="y", people="z",
    )  # fmt: skip
    values: dict[str, object] = {
        "ticket_id": ticket.pk,
        "entry_id": entry.pk,
        "organization_id": org.pk,
        "bank_id": bank.pk,
        "plan_id": plan.pk,
        "calendar_id": calendar.pk,
        "closure_id": closure.pk,
        "article_id": article.pk,
        "number": 1,
        "category_id": category.pk,
        "message_id": reply.pk,
        "mailbox_id": box.pk,
        "email_id": email.pk,
        "copy_id": copy.pk,
        "file_id": image.pk,
        "name": image.name,
        "kind_slug": "faq",
        "slug": article.slug,
        "agreement_id": agreement.pk,
        "milestone_id": agreement.milestones.get().pk,
        "delegate_id": delegate.pk,
        "training_id": training.pk,
        "session_id": session.pk,
        "time_off_id": time_off.pk,
        "feed_id": feed.pk,
        "room_id": room.pk,
        "user_id": contact.pk,
        "export_id": privacy.export_request(actor=client_admin, person=client_admin).pk,
        "incident_id": incident.pk,
        "page": "sla",
        "table": "sla-first-response-level",
        "rating_token": rating_token(solved.pk),
        "rating_id": rating.pk,
        "guarantee_id": guarantee_invoke(actor=client_admin, ticket=solved, reason="Lent").pk,
        "view_id": saved_view.pk,
        "macro_id": macro.pk,
        **newsletter,
    }
    visitors = {
        "public": Client(),
        "portal": signed_in(client_admin),
        "console": signed_in(manager),
    }
    return values, visitors, category


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_url_gives_back_its_name_and_answers_the_person_it_is_for(world, name, params):
    values, visitors, category = world
    kwargs = {param: values[param] for param in params}
    if name == "public:category":
        kwargs["slug"] = category.slug
    if name == "public:newsletter_confirm":
        kwargs["token"] = values["confirmation"]
    if name == "public:rate":
        kwargs["token"] = values["rating_token"]
    path = reverse(name, kwargs=kwargs)
    assert resolve(path).view_name == name
    response = visitors[name.split(":")[0]].get(path)
    # 405: an action answers POST only; 302: the landing page and the links that move on.
    assert response.status_code in (200, 302, 405), (path, response.status_code)
