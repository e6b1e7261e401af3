"""Agreements as the people who write, approve and accept them see them happen."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from soutien.agreements import services
from soutien.agreements.models import Agreement, AgreementDocument, Milestone, MilestoneAlert, State
from soutien.contracts.models import HourBank, TimeEntry
from soutien.contracts.services import time_entry_create
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.notifications.models import Notification
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Event, Ticket
from soutien.ticketing.services import ticket_set_level
from tests import factories
from tests.agreements.fixtures import DELIVERY, EASTERN, NOW, draft, milestone_inputs, walk


def test_only_a_level_3_request_carries_an_agreement(contact, manager, tech3):
    ticket = factories.ticket(contact=contact)
    ticket_set_level(actor=manager, ticket=ticket, level=2)
    with pytest.raises(Conflict):
        draft(ticket, tech3)
    assert not Agreement.objects.exists()


def test_a_level_1_or_2_technician_cannot_write_one(level3, tech1):
    with pytest.raises(NotAllowed):
        draft(level3, tech1)


def test_one_live_agreement_per_request(level3, tech3, lead):
    first = draft(level3, tech3)
    with pytest.raises(Conflict):
        draft(level3, tech3)
    walk(first, (lead, "cancel"))
    assert draft(level3, tech3).version == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"estimate_minutes": -30}, "estimate_minutes"),
        ({"estimate_minutes": 0}, "estimate_minutes"),
        ({"delivery_on": date(2026, 11, 30)}, "delivery_on"),
        ({"solution": "   "}, "solution"),
        (
            {"milestones": milestone_inputs([{"title": "Trop tard", "due_on": "2027-01-16"}])},
            "milestones",
        ),
        ({"payment": "quoted"}, "quoted_minutes"),
        ({"payment": "banks", "quoted_minutes": 60}, "quoted_minutes"),
        ({"payment": "quoted", "quoted_minutes": 60, "quoted_amount": 100}, "quoted_minutes"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_content_is_refused_with_its_field(level3, tech3, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        draft(level3, tech3, **overrides)
    assert refused.value.field == field


def test_every_change_of_content_makes_a_version_and_nothing_else_does(level3, tech3):
    agreement = draft(level3, tech3)
    same = services.agreement_revise(actor=tech3, agreement=agreement, estimate_minutes=1200)
    assert same.version == 1
    revised = services.agreement_revise(actor=tech3, agreement=agreement, estimate_minutes=1500)
    assert revised.version == 2
    assert [v.estimate_minutes for v in revised.versions.order_by("number")] == [1200, 1500]


def test_a_change_after_approval_needs_a_new_approval(level3, tech3, lead):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"))
    revised = services.agreement_revise(actor=tech3, agreement=agreement, solution="Autre voie.")
    assert (revised.state, revised.version) == (State.DRAFT, 2)
    with pytest.raises(Conflict) as refused:
        walk(revised, (tech3, "send"))
    assert refused.value.details["allowed"] == ["propose", "cancel"]


def test_acceptance_sets_the_resolution_target_with_its_terms(agreed):
    ticket = Ticket.objects.get(pk=agreed.ticket_id)
    # Close of service hours on the delivery date (Friday 17:00 Eastern).
    assert ticket.resolution_due == datetime(2027, 1, 15, 17, 0, tzinfo=EASTERN)
    assert ticket.resolution_terms["version"] == 1
    assert f"no {agreed.pk}, version 1" in ticket.resolution_terms_text("fr")
    assert f"no. {agreed.pk}, version 1" in ticket.resolution_terms_text("en")
    steps = list(
        Event.objects.filter(ticket=ticket, action=Event.Action.AGREEMENT).values_list(
            "data__step", "data__version", "actor"
        )
    )
    assert [s[0] for s in steps] == ["create", "propose", "approve", "send", "accept"]
    assert all(s[1] == 1 for s in steps)


def test_the_client_accepts_a_named_version_only(level3, tech3, lead, client_admin):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    with pytest.raises(InvalidInput) as missing:
        services.agreement_transition(actor=client_admin, agreement=agreement, action="accept")
    assert missing.value.field == "version"
    with pytest.raises(Conflict) as stale:
        services.agreement_transition(
            actor=client_admin, agreement=agreement, action="accept", version=2
        )
    assert stale.value.details["current_version"] == 1


def test_decline_sends_it_back_to_draft_with_the_reason(level3, tech3, lead, client_admin):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    with pytest.raises(InvalidInput):
        services.agreement_transition(actor=client_admin, agreement=agreement, action="decline")
    declined = services.agreement_transition(
        actor=client_admin, agreement=agreement, action="decline", reason="Trop cher."
    )
    assert declined.state == State.DRAFT
    assert declined.current.decline_reason == "Trop cher."
    assert Notification.objects.filter(kind="agreement_declined", recipient=tech3).exists()


def test_a_delegate_named_by_a_manager_approves(level3, tech3, manager, tech1):
    agreement = walk(draft(level3, tech3), (tech3, "propose"))
    with pytest.raises(NotAllowed):
        walk(agreement, (tech1, "approve"))
    delegate = services.delegate_name(actor=manager, user=tech1)
    assert walk(agreement, (tech1, "approve")).state == State.APPROVED
    services.delegate_revoke(actor=manager, delegate=delegate)
    other = walk(services.agreement_revise(actor=tech3, agreement=agreement, estimate_minutes=9))
    walk(other, (tech3, "propose"))
    with pytest.raises(NotAllowed):
        walk(other, (tech1, "approve"))


def test_only_a_manager_names_delegates(tech3, lead, tech1):
    with pytest.raises(NotAllowed):
        services.delegate_name(actor=lead, user=tech1)


def test_sending_stores_the_document_and_emails_it_to_the_client_admins(
    level3, tech3, lead, client_admin, contact
):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    document = AgreementDocument.objects.get(version=agreement.current, kind="sent")
    assert bytes(document.pdf).startswith(b"%PDF")
    email = OutboundEmail.objects.get(template="agreement_client")
    assert email.recipient == client_admin
    assert email.context["event"] == "sent"
    [attached] = email.files.all()
    assert attached.name == f"entente-{agreement.pk}-v1.pdf"
    assert bytes(attached.data) == bytes(document.pdf)


def test_sending_needs_a_client_administrator(level3, tech3, lead):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"))
    with pytest.raises(Conflict):
        walk(agreement, (tech3, "send"))


def test_a_slipping_delivery_date_needs_a_new_version_and_tells_the_client(
    agreed, tech3, lead, client_admin
):
    production = walk(agreed, (tech3, "start"))
    revised = services.agreement_revise(
        actor=tech3, agreement=production, delivery_on=date(2027, 1, 29)
    )
    assert (revised.state, revised.version) == (State.DRAFT, 2)
    told = OutboundEmail.objects.filter(template="agreement_client", context__event="revised")
    assert told.get().recipient == client_admin
    # The accepted promise stands until the new version is accepted.
    ticket = Ticket.objects.get(pk=agreed.ticket_id)
    assert ticket.resolution_due.date() == DELIVERY
    again = walk(revised, (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    back = walk(again, (client_admin, "accept"))
    assert back.state == State.IN_PRODUCTION  # production was under way
    ticket.refresh_from_db()
    assert ticket.resolution_due.date() == date(2027, 1, 29)
    assert ticket.resolution_terms["version"] == 2


def test_delivery_is_taken_as_confirmed_after_n_business_days(agreed, tech3, manager):
    services.settings_update(actor=manager, confirm_after_days=3)
    delivered = walk(agreed, (tech3, "start"), (tech3, "deliver"))
    # Tuesday 1 December + 3 business days: Friday 4 December, close of service.
    assert delivered.confirmation_due == datetime(2026, 12, 4, 17, 0, tzinfo=EASTERN)
    assert services.confirm_due_deliveries(now=datetime(2026, 12, 4, 16, 59, tzinfo=EASTERN)) == 0
    assert services.confirm_due_deliveries(now=datetime(2026, 12, 4, 17, 0, tzinfo=EASTERN)) == 1
    assert services.confirm_due_deliveries(now=datetime(2026, 12, 4, 17, 1, tzinfo=EASTERN)) == 0
    confirmed = Agreement.objects.get(pk=agreed.pk)
    assert confirmed.state == State.CONFIRMED
    assert confirmed.confirmed_by is None


def test_business_days_skip_weekends_and_holidays(agreed, tech3, manager):
    services.settings_update(actor=manager, confirm_after_days=5)
    with time_machine.travel(datetime(2026, 12, 22, 15, 0, tzinfo=EASTERN), tick=False):
        delivered = walk(agreed, (tech3, "start"), (tech3, "deliver"))
    # Tue 22 Dec: 23 (1), 24 (2), 25 Christmas, 26-27 weekend, 28 (3), 29 (4), 30 (5).
    assert delivered.confirmation_due == datetime(2026, 12, 30, 17, 0, tzinfo=EASTERN)


def test_a_late_milestone_alerts_the_technician_and_the_lead_once(agreed, tech3, lead):
    walk(agreed, (tech3, "start"))
    assert services.alert_late_milestones(now=datetime(2026, 12, 11, 23, 0, tzinfo=EASTERN)) == 0
    assert services.alert_late_milestones(now=datetime(2026, 12, 12, 0, 1, tzinfo=EASTERN)) == 1
    assert services.alert_late_milestones(now=datetime(2026, 12, 12, 9, 0, tzinfo=EASTERN)) == 0
    told = set(
        Notification.objects.filter(kind="milestone_late").values_list("recipient", flat=True)
    )
    assert told == {tech3.pk, lead.pk}
    assert MilestoneAlert.objects.count() == 1


def test_a_milestone_done_in_time_never_alerts(agreed, tech3):
    first = Milestone.objects.filter(agreement=agreed).order_by("due_on").first()
    services.milestone_mark_done(actor=tech3, agreement=agreed, milestone_id=first.pk)
    assert services.alert_late_milestones(now=datetime(2026, 12, 14, 9, 0, tzinfo=EASTERN)) == 0


def test_quoted_work_in_production_draws_from_no_bank(level3, tech3, lead, client_admin, manager):
    factories.spec4_banks(manager, level3.organization)
    agreement = walk(
        draft(level3, tech3, payment="quoted", quoted_minutes=900),
        (tech3, "propose"),
        (lead, "approve"),
        (tech3, "send"),
        (client_admin, "accept"),
    )
    before = time_entry_create(
        actor=tech3, ticket=level3, started_at=NOW - timedelta(hours=1), minutes=30
    )
    walk(agreement, (tech3, "start"))
    during = time_entry_create(actor=tech3, ticket=level3, started_at=NOW, minutes=90)
    assert before.allocations.exists()
    assert not during.allocations.exists()
    assert during.overage_minutes == 0
    assert sum(HourBank.objects.values_list("used_minutes", flat=True)) == 30
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        walk(agreement, (tech3, "deliver"))
        after = time_entry_create(
            actor=tech3, ticket=level3, started_at=NOW + timedelta(hours=3), minutes=15
        )
    assert after.allocations.exists()


def test_time_logged_in_production_is_shown_against_the_estimate(agreed, tech3):
    from soutien.agreements.selectors import progress

    walk(agreed, (tech3, "start"))
    time_entry_create(actor=tech3, ticket=agreed.ticket, started_at=NOW, minutes=1000)
    time_entry_create(actor=tech3, ticket=agreed.ticket, started_at=NOW, minutes=300)
    shown = progress(Agreement.objects.get(pk=agreed.pk))
    assert (shown.used_minutes, shown.left_minutes, shown.over_minutes) == (1300, 0, 100)
    assert TimeEntry.objects.count() == 2


def test_cancelling_needs_a_reason_and_lifts_the_promise(agreed, manager, client_admin):
    with pytest.raises(InvalidInput):
        services.agreement_transition(actor=manager, agreement=agreed, action="cancel")
    cancelled = walk(agreed, (manager, "cancel"))
    assert cancelled.state == State.CANCELLED
    assert Ticket.objects.get(pk=agreed.ticket_id).resolution_due is None
    assert OutboundEmail.objects.filter(
        template="agreement_client", context__event="cancelled", recipient=client_admin
    ).exists()


def test_a_promise_on_a_day_without_service_ends_with_that_day(level3, tech3, lead, client_admin):
    agreement = walk(
        draft(level3, tech3, delivery_on=date(2027, 1, 16), milestones=[]),  # a Saturday
        (tech3, "propose"),
        (lead, "approve"),
        (tech3, "send"),
        (client_admin, "accept"),
    )
    due = Ticket.objects.get(pk=agreement.ticket_id).resolution_due
    assert due == datetime(2027, 1, 16, 23, 59, 59, tzinfo=EASTERN)
