"""Subscribing and unsubscribing: every consent event a row never edited, the state read from them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.utils import timezone

from soutien.contracts.models import Plan
from soutien.contracts.services import contract_create, subscription_create
from soutien.contracts.terms import VENDOR_ZONE
from soutien.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from soutien.newsletter import selectors, sending, services, tokens
from soutien.newsletter.models import ConsentEvent, Delivery, Subscriber, Suppression
from soutien.outbound.message_ids import new_message_id
from soutien.outbound.models import OutboundEmail
from tests import factories
from tests.newsletter.fixtures import subscribed

Kind = ConsentEvent.Kind


def _state(subscriber: Subscriber) -> str:
    return selectors.state_of(subscriber).status


def _may_receive(subscriber: Subscriber) -> bool:
    return selectors.consenting().filter(pk=subscriber.pk).exists()


def test_a_contact_subscribing_in_the_portal_is_subscribed_at_once_with_the_text_they_saw(
    contact, consent_text
):
    subscriber, event = services.subscribe(
        actor=contact, email=contact.email.upper(), language="en", source="portal"
    )
    assert subscriber.email == contact.email.lower()
    assert subscriber.person == contact
    assert event is not None
    assert event.kind == Kind.EXPRESS
    assert event.text_version == "2026-11"
    assert event.text == consent_text.text_en
    assert event.recorded_by == contact
    assert _may_receive(subscriber)
    assert selectors.state_of(subscriber).basis == "express"


def test_consent_on_the_phone_records_who_took_it(tech1, consent_text):
    subscriber, event = services.subscribe(
        actor=tech1, email="nadia@clinique.example", language="fr", source="console"
    )
    assert event is not None
    assert event.recorded_by == tech1
    assert event.recorded_by_name == tech1.display_name
    assert _may_receive(subscriber)


def test_a_public_form_needs_the_owner_to_confirm_from_the_email_sent_to_the_address(
    db, sender, mailoutbox
):
    subscriber, event = services.subscribe(
        actor=None, email="curieux@example.org", language="en", source="public_form"
    )
    assert event is not None
    assert event.awaiting_confirmation
    assert _state(subscriber) == "awaiting_confirmation"
    assert not _may_receive(subscriber)
    email = OutboundEmail.objects.get(to_address="curieux@example.org")
    assert email.template == "newsletter_confirmation"
    assert email.language == "en"

    url = email.context["url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    services.confirm(token=token)
    services.confirm(token=token)  # a second click changes nothing
    assert _may_receive(subscriber)
    confirmations = subscriber.events.filter(source="confirmation")
    assert confirmations.count() == 1
    assert confirmations.get().confirms == event


def test_filling_the_form_again_does_not_send_another_confirmation_within_the_hour(db, sender):
    services.subscribe(actor=None, email="a@example.org", source="public_form")
    _subscriber, again = services.subscribe(actor=None, email="a@example.org", source="public_form")
    assert again is None
    assert OutboundEmail.objects.filter(to_address="a@example.org").count() == 1


def test_a_forged_confirmation_link_changes_nothing(db, sender):
    subscriber, event = services.subscribe(actor=None, email="a@example.org", source="public_form")
    assert event is not None
    forged = tokens.confirmation_token(event.pk)[:-2] + "xx"
    with pytest.raises(NotFound):
        services.confirm(token=forged)
    with pytest.raises(NotFound):
        services.confirm(token=tokens.reader_token(subscriber.pk))  # another purpose's link
    assert not _may_receive(subscriber)


def test_someone_else_cannot_subscribe_an_address_in_the_portal(contact, consent_text):
    with pytest.raises(NotAllowed):
        services.subscribe(actor=contact, email="other@example.org", source="portal")


def test_a_client_cannot_pretend_to_be_staff_taking_consent_on_the_phone(contact, consent_text):
    with pytest.raises(NotAllowed):
        services.subscribe(actor=contact, email="x@example.org", source="console")


def test_express_consent_needs_a_published_text(contact):
    with pytest.raises(InvalidInput) as error:
        services.subscribe(actor=contact, email=contact.email, source="portal")
    assert error.value.field == "text_version"


def test_implied_consent_from_a_contract_lasts_two_years_after_it_ends(manager, org, contact):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31))  # fmt: skip
    subscriber, event = services.subscribe(
        actor=manager, email=contact.email, kind="implied", source="contract"
    )
    assert event is not None
    assert event.kind == Kind.IMPLIED
    assert event.source == "contract"
    assert event.expires_at == datetime(2029, 3, 31, tzinfo=VENDOR_ZONE)
    assert "LIC-7" in event.basis
    state = selectors.state_of(subscriber)
    assert (state.status, state.basis, state.until) == ("subscribed", "implied", event.expires_at)
    with time_machine.travel(datetime(2029, 3, 31, 0, 0, 1, tzinfo=VENDOR_ZONE)):
        assert not _may_receive(subscriber)
        assert _state(subscriber) == "expired"


def test_implied_consent_follows_the_relationship_that_ends_last(manager, org, contact):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))  # fmt: skip
    subscription_create(actor=manager, organization=org, plan=Plan.objects.get(code="base-plus"),
                        starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31))  # fmt: skip
    _subscriber, event = services.subscribe(
        actor=manager, email=contact.email, kind="implied", source="contract"
    )
    assert event is not None
    assert event.source == "plan"
    assert event.expires_at == datetime(2028, 12, 31, tzinfo=VENDOR_ZONE)


@time_machine.travel(datetime(2026, 11, 20, 9, tzinfo=VENDOR_ZONE))
def test_implied_consent_from_an_inquiry_lasts_six_months(manager, contact):
    asked = datetime(2026, 11, 2, 10, tzinfo=VENDOR_ZONE)
    factories.ticket(contact=contact, actor=manager, received_at=asked)
    _subscriber, event = services.subscribe(
        actor=manager, email=contact.email, kind="implied", source="inquiry"
    )
    assert event is not None
    assert event.expires_at == datetime(2027, 5, 2, tzinfo=VENDOR_ZONE)


def test_implied_consent_needs_a_relationship_on_file(manager, contact):
    with pytest.raises(InvalidInput):
        services.subscribe(actor=manager, email="stranger@example.org", kind="implied",
                           source="contract")  # fmt: skip
    with pytest.raises(InvalidInput):
        services.subscribe(actor=manager, email=contact.email, kind="implied", source="contract")


def test_implied_consent_is_not_recorded_for_a_relationship_over_two_years_ago(
    manager, org, contact
):
    contract_create(actor=manager, organization=org, reference="OLD",
                    starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1))  # fmt: skip
    with pytest.raises(InvalidInput):
        services.subscribe(actor=manager, email=contact.email, kind="implied", source="contract")


def test_only_staff_record_implied_consent(manager, org, contact):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31))  # fmt: skip
    with pytest.raises(NotAllowed):
        services.subscribe(actor=contact, email=contact.email, kind="implied", source="contract")


def test_implied_consent_never_overrides_an_unsubscribe(manager, org, contact):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31))  # fmt: skip
    subscriber, _ = services.subscribe(
        actor=manager, email=contact.email, kind="implied", source="contract"
    )
    services.unsubscribe(subscriber=subscriber, source="link")
    with pytest.raises(Conflict):
        services.subscribe(actor=manager, email=contact.email, kind="implied", source="contract")
    contract_create(actor=manager, organization=org, reference="LIC-8",
                    starts_on=date(2027, 4, 1), ends_on=date(2030, 3, 31))  # fmt: skip
    assert services.implied_renew() == 0
    assert not _may_receive(subscriber)


def test_a_renewed_contract_extends_implied_consent_with_a_new_event(manager, org, contact):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31))  # fmt: skip
    subscriber, first = services.subscribe(
        actor=manager, email=contact.email, kind="implied", source="contract"
    )
    assert services.implied_renew() == 0
    contract_create(actor=manager, organization=org, reference="LIC-8",
                    starts_on=date(2027, 4, 1), ends_on=date(2030, 3, 31))  # fmt: skip
    assert services.implied_renew() == 1
    assert services.implied_renew() == 0
    assert first is not None
    first.refresh_from_db()
    assert first.expires_at == datetime(2029, 3, 31, tzinfo=VENDOR_ZONE)  # never edited
    assert selectors.state_of(subscriber).until == datetime(2032, 3, 31, tzinfo=VENDOR_ZONE)


def test_an_unsubscribe_counts_at_once_and_twice_is_once(tech1, consent_text):
    subscriber = subscribed("a@example.org", staff=tech1)
    assert services.unsubscribe(subscriber=subscriber, source="one_click") is not None
    assert services.unsubscribe(subscriber=subscriber, source="link") is None
    assert not _may_receive(subscriber)
    assert _state(subscriber) == "unsubscribed"
    # Subscribing again is a new express consent, after the withdrawal.
    services.subscribe(actor=tech1, email="a@example.org", source="console")
    assert _may_receive(subscriber)
    kinds = list(subscriber.events.values_list("kind", flat=True))
    assert kinds == [Kind.EXPRESS, Kind.WITHDRAWAL, Kind.EXPRESS]


def test_a_consent_event_is_never_edited_not_even_by_sql(tech1, consent_text):
    subscriber = subscribed("a@example.org", staff=tech1)
    event = subscriber.events.get()
    event.text = "something else"
    with pytest.raises(ValueError, match="never edited"):
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(text="something else")
    event.refresh_from_db()
    assert event.text != "something else"


def test_a_withdrawal_skips_the_copies_not_yet_taken_by_a_sender(tech1, consent_text):
    subscriber = subscribed("a@example.org", staff=tech1)
    from soutien.newsletter.models import Issue

    issue = Issue.objects.create(month=date(2026, 11, 1), subject_fr="x", subject_en="x",
                                 status=Issue.Status.SENDING)  # fmt: skip
    copy = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email,
                                   language="fr")  # fmt: skip
    services.unsubscribe(subscriber=subscriber, source="link")
    copy.refresh_from_db()
    assert copy.status == Delivery.Status.SKIPPED


def test_preferences_change_the_language_and_topics_and_need_one_topic(tech1, consent_text):
    subscriber = subscribed("a@example.org", staff=tech1)
    services.preferences_save(subscriber=subscriber, language="en", topics=["problems"])
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.topics) == ("en", ["problems"])
    with pytest.raises(InvalidInput):
        services.preferences_save(subscriber=subscriber, language="en", topics=[])
    with pytest.raises(InvalidInput):
        services.preferences_save(subscriber=subscriber, language="de", topics=["news"])


def test_a_reader_link_with_a_changed_character_names_nobody(tech1, consent_text):
    subscriber = subscribed("a@example.org", staff=tech1)
    token = tokens.reader_token(subscriber.pk)
    assert services.subscriber_from_token(token) == subscriber
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", "12:abc:def", "x" * 500):
        with pytest.raises(NotFound):
            services.subscriber_from_token(bad)


def test_a_reader_link_still_works_a_year_later(tech1, consent_text):
    subscriber = subscribed("a@example.org", staff=tech1)
    token = tokens.reader_token(subscriber.pk)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        assert services.subscriber_from_token(token) == subscriber


def test_a_hard_bounce_of_one_of_our_copies_suppresses_the_address(tech1, consent_text):
    subscriber = subscribed("gone@example.org", staff=tech1)
    from soutien.newsletter.models import Issue

    issue = Issue.objects.create(month=date(2026, 11, 1), subject_fr="x", subject_en="x",
                                 status=Issue.Status.SENT)  # fmt: skip
    copy = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email,
                                   language="fr", status=Delivery.Status.SENT)  # fmt: skip
    assert services.hard_bounce(message_ids=[sending.message_id(copy.pk)], detail="5.1.1") == [
        "gone@example.org"
    ]
    copy.refresh_from_db()
    assert copy.status == Delivery.Status.BOUNCED
    assert Suppression.objects.filter(email="gone@example.org").exists()
    assert not _may_receive(subscriber)
    assert _state(subscriber) == "suppressed"


def test_a_bounce_naming_a_message_id_that_is_not_ours_suppresses_nobody(tech1, consent_text):
    subscribed("a@example.org", staff=tech1)
    forged = new_message_id(None, nonce="nl00000001")[:-30] + "0" * 24 + "@example.org"
    support_email = new_message_id(42)  # ours, but not a newsletter copy
    assert services.hard_bounce(message_ids=[forged, support_email, "x@y"], detail="") == []
    assert not Suppression.objects.exists()
