"""A fixture world for the security runs: the demo desk, one person per role, markers on private data.

Organization A (Ville de Saint-Laurent) is the callers' own; organization B (Maple Health) is the
foreign one. Private text of each carries a marker (`zqA…`, `zqB…`) and every internal note carries
`zqNOTE`, so a leak is a marker found in an answer: a client of A must never read `zqB` or `zqNOTE`,
an anonymous visitor none of them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.accounts.models import Organization, User
from soutien.accounts.services import token_issue
from soutien.agreements.models import Agreement, AgreementVersion, Delegate, Milestone
from soutien.channels.mail.models import InboundEmail, Mailbox, ServerCopy
from soutien.contracts.models import HourBank, Plan, TimeEntry
from soutien.demo import load_demo
from soutien.kb.models import Article, ArticleFile, Category
from soutien.newsletter.models import Issue, IssueImage, ResolvedProblem, Subscriber, Suppression
from soutien.outbound.models import OutboundEmail
from soutien.satisfaction.models import Guarantee, Rating
from soutien.sla.models import Closure, ServiceCalendar
from soutien.ticketing import services as ticketing
from soutien.ticketing.models import Attachment, Message, MessageKind, Ticket
from soutien.training.models import CalendarFeed, Room, Session, TimeOff, TrainingRequest
from tests import factories

ROLES = (
    "anonymous",
    "contact",
    "client_admin",
    "tech_l1",
    "tech_l2",
    "tech_l3",
    "manager",
    "dev_lead",
    "trainer",
    "admin",
)
CLIENTS = frozenset({"contact", "client_admin"})
STAFF = frozenset({"tech_l1", "tech_l2", "tech_l3", "manager", "dev_lead", "trainer", "admin"})
MANAGERS = frozenset({"manager", "admin"})

FOREIGN_MARK = "zqB"
OWN_MARK = "zqA"
NOTE_MARK = "zqNOTE"


@dataclass
class World:
    users: dict[str, User | None]
    # For each kind of object: its id in organization A ("A") and B ("B"), or one staff-side id ("-").
    ids: dict[str, dict[str, int | str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    own_token_ids: dict[str, int] = field(default_factory=dict)


def signed_in_client(user: User | None) -> Client:
    """A test client signed in as `user` (anonymous for None): the one place the runs sign in.

    When signing in needs more than a session (a second factor, say), this is what to adapt.
    """
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _mark(queryset, field_name: str, marker: str) -> None:
    queryset.update(**{field_name: Concat(F(field_name), Value(f" {marker}"))})


def _upload(name: str) -> ticketing.Upload:
    return ticketing.Upload(name=name, content=io.BytesIO(b"matrix file"), size=11)


def _pair(model, a_filter: dict, b_filter: dict) -> dict[str, int | str]:
    return {
        "A": model.objects.filter(**a_filter).first().pk,
        "B": model.objects.filter(**b_filter).first().pk,
    }


def build() -> World:
    """Load the demo, add the objects it lacks, mark private text and make one user per role."""
    load_demo()
    org_a = Organization.objects.get(name="Ville de Saint-Laurent")
    org_b = Organization.objects.get(name="Maple Health Inc.")
    contact = User.objects.get(username="marc")
    client_admin = User.objects.get(username="julie")
    b_contact = User.objects.get(username="john")
    users: dict[str, User | None] = {
        "anonymous": None,
        "contact": contact,
        "client_admin": client_admin,
        "tech_l1": factories.staff(levels=(1,), name="Matrice N1"),
        "tech_l2": factories.staff(levels=(2,), name="Matrice N2"),
        "tech_l3": factories.staff(levels=(3,), name="Matrice N3"),
        "manager": factories.staff(levels=(), manager=True, name="Matrice Gestion"),
        "dev_lead": factories.staff(levels=(), development_lead=True, name="Matrice Dev"),
        "trainer": factories.trainer(name="Matrice Formation"),
        "admin": factories.staff(levels=(), admin=True, name="Matrice Admin"),
    }
    world = World(users=users)

    # The contact's own request (assigned to the level-1 technician: "mine" for that role) and
    # one of B's (assigned to someone else), each with a reply, a note and files.
    tickets = {}
    for variant, person, assignee in (
        ("A", contact, users["tech_l1"]),
        ("B", b_contact, users["tech_l3"]),
    ):
        ticket = factories.ticket(contact=person, subject="Demande de la matrice")
        ticketing.attachment_add(actor=person, ticket=ticket, upload=_upload("client.txt"))
        ticketing.message_add(
            actor=users["manager"], ticket=ticket, kind=MessageKind.REPLY, body="Réponse"
        )
        ticketing.message_add(
            actor=users["manager"],
            ticket=ticket,
            kind=MessageKind.NOTE,
            body="Note interne",
            uploads=[_upload("note.txt")],
        )
        Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee, level=1)
        # Its client's rating and a guarantee invoked on it (read through the API), marked below.
        Rating.objects.create(
            ticket=ticket,
            organization_id=ticket.organization_id,
            rated_by=person,
            value=Rating.Value.BAD,
            comment="Avis de la matrice",
            via=Rating.Via.PORTAL,
        )
        Guarantee.objects.create(
            organization_id=ticket.organization_id,
            ticket=ticket,
            reason="Garantie de la matrice",
            invoked_by=client_admin if variant == "A" else person,
            decide_by=timezone.now() + timedelta(days=1),
        )
        tickets[variant] = ticket
    ids = world.ids
    ids["ticket_id"] = {v: t.pk for v, t in tickets.items()}
    ids["attachment_id"] = {
        v: Attachment.objects.filter(ticket=t, name="client.txt").get().pk
        for v, t in tickets.items()
    }
    ids["message_id"] = {
        v: Message.objects.filter(ticket=t, kind=MessageKind.REPLY).get().pk
        for v, t in tickets.items()
    }
    ids["organization_id"] = {"A": org_a.pk, "B": org_b.pk}
    ids["user_id"] = {"A": contact.pk, "B": b_contact.pk}
    ids["bank_id"] = _pair(HourBank, {"organization": org_a}, {"organization": org_b})
    entry_a = TimeEntry.objects.filter(ticket__organization=org_a).first()
    entry_b = TimeEntry.objects.filter(ticket__organization=org_b).first()
    if entry_a is None or entry_b is None:
        from soutien.contracts.services import time_entry_create

        for variant in ("A", "B"):
            time_entry_create(
                actor=users["tech_l1"],
                ticket=tickets[variant],
                started_at=timezone.now() - timedelta(days=1),
                minutes=15,
                note="Travail",
            )
    ids["entry_id"] = _pair(
        TimeEntry, {"ticket__organization": org_a}, {"ticket__organization": org_b}
    )
    ids["agreement_id"] = _pair(
        Agreement, {"ticket__organization": org_a}, {"ticket__organization": org_b}
    )
    ids["milestone_id"] = {
        v: Milestone.objects.filter(agreement_id=ids["agreement_id"][v]).first().pk
        for v in ("A", "B")
    }
    ids["number"] = {"A": 1, "B": 1}
    for variant, person in (("A", client_admin), ("B", b_contact)):
        org = org_a if variant == "A" else org_b
        if not TrainingRequest.objects.filter(ticket__organization=org).exists():
            factories.training_request(contact=person)
        if not Session.objects.filter(ticket__organization=org).exists():
            start = timezone.now() + timedelta(days=10)
            Session.objects.create(
                kind="teleconference",
                ticket=tickets[variant],
                host=users["trainer"],
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                location="",
                join_url="",
                bridge="",
                change_request="",
            )
    ids["training_id"] = _pair(
        TrainingRequest, {"ticket__organization": org_a}, {"ticket__organization": org_b}
    )
    ids["session_id"] = _pair(
        Session, {"ticket__organization": org_a}, {"ticket__organization": org_b}
    )

    # Staff-side objects: one each, created here when the demo has none.
    manager = users["manager"]
    assert manager is not None
    calendar = ServiceCalendar.objects.first()
    closure = Closure.objects.create(calendar=calendar, date=date(2027, 1, 2), reason="Matrice")
    category = Category.objects.create(slug="matrice", name_fr="Matrice", name_en="Matrix")
    article = Article.objects.filter(published_at__isnull=False).first()
    article_file = ArticleFile.objects.create(
        article=article,
        file=ContentFile(b"GIF89a", name="matrice.gif"),
        name="matrice.gif",
        content_type="image/gif",
        size=6,
    )
    mailbox = Mailbox.objects.create(
        name="Matrice",
        address="matrice@soutien.example",
        host="127.0.0.1",
        username="matrice",
        password_encrypted="",
        password_env="",
        move_to="",
        last_error="",
    )
    inbound = InboundEmail.objects.create(
        key="matrice-1",
        message_id="<matrice-1@example.com>",
        raw=b"Subject: matrice\r\n\r\nbody\r\n",
        size=24,
        arrived_at=timezone.now(),
        from_address="someone@example.com",
        subject="matrice",
        reason="",
        text="body",
        html="",
    )
    copy = ServerCopy.objects.create(mailbox=mailbox, email=inbound, uidvalidity=1, uid=1)
    issue = Issue.objects.order_by("pk").first()
    image = IssueImage.objects.create(
        issue=issue,
        file=ContentFile(b"GIF89a", name="matrice.gif"),
        name="matrice.gif",
        content_type="image/gif",
        size=6,
    )
    feed = CalendarFeed.objects.create(person=users["trainer"])
    delegate = Delegate.objects.create(user=users["tech_l3"])
    staff_ids: dict[str, int | str | None] = {
        "plan_id": Plan.objects.first().pk,
        "calendar_id": calendar.pk,
        "closure_id": closure.pk,
        "article_id": article.pk,
        "category_id": category.pk,
        "file_id": article_file.pk,
        "slug": article.slug,
        "name": article_file.name,
        "kind_slug": "faq",
        "mailbox_id": mailbox.pk,
        "email_id": inbound.pk,
        "copy_id": copy.pk,
        "time_off_id": TimeOff.objects.first().pk,
        "feed_id": feed.pk,
        "room_id": Room.objects.first().pk,
        "issue_id": issue.pk,
        "language": "fr",
        "subscriber_id": Subscriber.objects.first().pk,
        "problem_id": ResolvedProblem.objects.first().pk,
        "suppression_id": Suppression.objects.first().pk,
        "delegate_id": delegate.pk,
        "key": image.key.hex,
        "month": issue.month.strftime("%Y-%m"),
        "token": "matrice-jeton-inconnu",
        "url": "matrice/",  # the admin's catch-all
        # The admin's pages of a second-factor device (django-otp's): one that exists.
        # (Its owner signs in with nobody's session here: a device asks for the second factor.)
        "pk": TOTPDevice.objects.create(
            user=factories.staff(levels=(1,), name="Matrice OTP"), name="matrice", confirmed=True
        ).pk,
    }
    # A manager's decision on A's guarantee, the follow-up of A's bad rating (console routes).
    staff_ids["guarantee_id"] = Guarantee.objects.get(ticket=tickets["A"]).pk
    staff_ids["rating_id"] = Rating.objects.get(ticket=tickets["A"]).pk
    outbound = OutboundEmail.objects.first()
    ids["outbound_email_id"] = {"-": outbound.pk}
    for name, value in staff_ids.items():
        if value is not None:
            ids[name] = {"-": value}

    # Markers: what belongs to B, what belongs to A, what is internal.
    _mark(Organization.objects.filter(pk=org_b.pk), "name", f"{FOREIGN_MARK}org")
    _mark(Organization.objects.filter(pk=org_a.pk), "name", f"{OWN_MARK}org")
    _mark(User.objects.filter(organization=org_b), "full_name", f"{FOREIGN_MARK}person")
    for org, marker in ((org_b, FOREIGN_MARK), (org_a, OWN_MARK)):
        _mark(Ticket.objects.filter(organization=org), "subject", f"{marker}subject")
        _mark(Ticket.objects.filter(organization=org), "body", f"{marker}body")
        _mark(
            Message.objects.filter(ticket__organization=org).exclude(kind=MessageKind.NOTE),
            "body",
            f"{marker}message",
        )
        _mark(
            AgreementVersion.objects.filter(agreement__ticket__organization=org),
            "solution",
            f"{marker}solution",
        )
        _mark(
            TrainingRequest.objects.filter(ticket__organization=org),
            "subject_detail",
            f"{marker}training",
        )
        _mark(TimeEntry.objects.filter(ticket__organization=org), "note", f"{marker}time")
        _mark(Rating.objects.filter(organization=org), "comment", f"{marker}rating")
        _mark(Guarantee.objects.filter(organization=org), "reason", f"{marker}guarantee")
    _mark(Message.objects.filter(kind=MessageKind.NOTE), "body", NOTE_MARK)

    for role, user in users.items():
        if user is None:
            continue
        token, raw = token_issue(user=user)
        world.tokens[role] = raw
        world.own_token_ids[role] = token.pk
    # "A" is the caller's own token (filled per role); "B" someone else's, B's contact's.
    foreign_token, _raw = token_issue(user=b_contact)
    world.ids["token_id"] = {"A": 0, "B": foreign_token.pk}
    return world
