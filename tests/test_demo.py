"""`soutien demo` fills a desk someone can explore: every status and channel, banks, articles."""

from __future__ import annotations

import calendar

from django.utils import timezone

from soutien.accounts.models import User
from soutien.agreements.models import Agreement
from soutien.contracts.models import HourBank, TimeEntry
from soutien.contracts.statements import statement_for
from soutien.demo import load_demo
from soutien.kb.models import Article
from soutien.newsletter import selectors
from soutien.newsletter.models import Delivery, Issue, Subscriber
from soutien.notifications.models import Notification
from soutien.satisfaction.models import Guarantee, Rating
from soutien.ticketing.models import Channel, Status, Ticket
from soutien.training.models import Room, Session, TrainingRequest


def test_demo_has_every_status_and_channel_and_loads_once(db):
    logins = load_demo()
    assert {"admin", "gestion", "tech1", "julie", "marc"} <= {
        username for username, _role in logins
    }
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert HourBank.objects.filter(source="plan").count() == 3
    assert TimeEntry.objects.exists()
    assert Article.objects.filter(published_at__isnull=False, language="en").exists()
    assert User.objects.get(username="julie").check_password("demo")
    # Demo managers and administrators sign in with the password alone (a real one cannot).
    gestion = User.objects.get(username="gestion")
    assert gestion.is_manager
    assert not gestion.must_use_second_factor
    assert User.objects.get(username="admin").second_factor_exempt
    # Development agreements: one in production with a late milestone, one to approve, one sent.
    assert set(Agreement.objects.values_list("state", flat=True)) == {
        "in_production",
        "proposed",
        "sent",
    }
    assert Ticket.objects.filter(resolution_due__isnull=False).count() == 1
    statuses = set(Session.objects.values_list("kind", "status"))
    assert statuses == {
        ("training", "proposed"),
        ("training", "confirmed"),
        ("teleconference", "confirmed"),
    }
    assert TrainingRequest.objects.filter(sessions__isnull=True).exists()  # one to schedule
    # Satisfaction: one good rating, one bad with a follow-up open for the managers.
    assert sorted(Rating.objects.values_list("value", "followed_up_at")) == [
        ("bad", None),
        ("good", None),
    ]
    # A guarantee awaiting a manager's decision, and one granted with an hour credited back,
    # which the current month's statement shows with its note and the client was told.
    assert sorted(Guarantee.objects.values_list("state", flat=True)) == ["granted", "pending"]
    granted = Guarantee.objects.get(state="granted")
    assert granted.credit is not None
    assert granted.credit.minutes == 60
    today = timezone.localdate()
    statement = statement_for(
        organization=granted.organization,
        first_day=today.replace(day=1),
        last_day=today.replace(day=calendar.monthrange(today.year, today.month)[1]),
    )
    assert [c.note for c in statement.credits] == [granted.decision_note]
    assert Notification.objects.filter(kind="guarantee_decided", recipient=granted.invoked_by)
    assert Room.objects.count() == 2
    tickets = Ticket.objects.count()
    load_demo()
    assert Ticket.objects.count() == tickets


def test_demo_has_a_newsletter_sent_a_draft_and_readers_in_every_state(db):
    load_demo()
    assert set(Issue.objects.values_list("status", flat=True)) == {"sending", "draft"}
    assert Delivery.objects.count() == 3  # Julie, Sarah, Marc: express, express, implied
    states = {s.email: selectors.state_of(s).status for s in Subscriber.objects.all()}
    assert set(states.values()) == {"subscribed", "awaiting_confirmation", "unsubscribed",
                                    "suppressed"}  # fmt: skip
    draft = Issue.objects.get(status="draft")
    assert draft.sections.filter(topic="problems").exists()


def test_demo_has_a_person_in_charge_an_invitation_pending_and_a_deactivated_contact(db):
    from soutien.accounts import access
    from soutien.accounts.privacy_officer import current
    from soutien.outbound.models import OutboundEmail

    load_demo()
    officer = current()
    assert officer is not None
    assert officer.email == "vie-privee@soutien.example"
    states = access.access_states(list(User.objects.filter(organization__isnull=False)))
    by_email = {u.email: states[u.pk] for u in User.objects.filter(organization__isnull=False)}
    assert by_email["emilie@ville-st-laurent.example"] == "invited"
    assert by_email["paul@maplehealth.example"] == "deactivated"
    assert by_email["julie@ville-st-laurent.example"] == "active"
    assert OutboundEmail.objects.filter(
        template="invitation", to_address="emilie@ville-st-laurent.example"
    ).exists()


def test_demo_has_retention_rules_an_incident_and_a_delivered_export(db):
    from soutien.privacy.models import Export, Incident, RetentionRule, RetentionRun

    load_demo()
    assert RetentionRule.objects.filter(kind="closed_requests", action="anonymize").exists()
    assert RetentionRun.objects.filter(dry_run=True).count() == 1
    assert Incident.objects.count() == 1
    export = Export.objects.get()
    assert export.person.username == "marc"
    assert export.delivered_at is not None


def test_demo_has_a_shared_view_two_macros_a_linked_pair_and_a_merged_duplicate(db):
    from soutien.ticketing.models import TicketLink
    from soutien.workspace.models import Macro, SavedView

    load_demo()
    assert SavedView.objects.filter(shared=True).exists()
    assert Macro.objects.filter(shared=True).count() == 2
    assert TicketLink.objects.count() == 1
    duplicate = Ticket.objects.get(merged_into__isnull=False)
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into is not None
    assert duplicate.merged_into.subject == "Le menu principal est décalé sur mobile"
