"""Writes on subscribers and their consent ledger; each service is one transaction.

Every consent event is a new row of the ledger, written under a lock on the subscriber's row
(so the ledger of one address is in the order things happened). Express consent given by the
person signed in, or recorded by staff who spoke with them, counts at once; given through a
form anyone can fill, it counts once the person confirms it from the email sent to the address
(double opt-in). Implied consent is computed from the contracts, plans and requests on file,
with its expiry, never typed. An unsubscribe counts at once: the sender checks consent again
just before it hands each message to the mail server.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts.models import Language, User
from soutien.accounts.permissions import require_manager, require_staff
from soutien.accounts.services import user_by_email
from soutien.contracts.selectors import business_relationship
from soutien.contracts.terms import VENDOR_ZONE
from soutien.core.db import lock_row
from soutien.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from soutien.newsletter import expiry, links, selectors, tokens
from soutien.newsletter.models import (
    ALL_TOPICS,
    ConsentEvent,
    ConsentSource,
    ConsentText,
    Delivery,
    NewsletterSettings,
    Subscriber,
    Suppression,
)
from soutien.notifications import newsletter as notify
from soutien.outbound.message_ids import OUR_ID, verify_message_id
from soutien.ticketing.selectors import last_request_at

Kind = ConsentEvent.Kind
Source = ConsentSource
EXPRESS_SOURCES = (Source.PORTAL, Source.PUBLIC_FORM, Source.CONSOLE, Source.API)
IMPLIED_SOURCES = (Source.CONTRACT, Source.PLAN, Source.INQUIRY)
WITHDRAWAL_SOURCES = (
    Source.UNSUBSCRIBE_LINK, Source.ONE_CLICK, Source.PREFERENCES, Source.PORTAL, Source.CONSOLE,
    Source.API,
)  # fmt: skip
# One confirmation email per address in this long, however often a form is filled with it.
CONFIRMATION_EVERY = timedelta(hours=1)
MANAGERS_ONLY = gettext_lazy(
    "Only a support manager or an administrator can manage the newsletter."
)


def normalized_email(value: str) -> str:
    address = value.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput(_("This is not a valid email address."), field="email") from exc
    return address


def _check_language(language: str) -> None:
    if language not in Language.values:
        raise InvalidInput(
            _("Unknown language: %(value)s.") % {"value": language}, field="language"
        )


def _check_topics(topics: Sequence[str]) -> list[str]:
    unknown = sorted(set(topics) - set(ALL_TOPICS))
    if unknown:
        raise InvalidInput(
            _("Unknown topics: %(names)s.") % {"names": ", ".join(unknown)}, field="topics"
        )
    # Every topic chosen is the same as none: every topic, including those added later.
    chosen = [t for t in ALL_TOPICS if t in topics]
    return [] if len(chosen) == len(ALL_TOPICS) else chosen


def _locked_subscriber(email: str, *, language: str) -> Subscriber:
    """The address's subscriber row, made if needed, locked for this transaction."""
    try:
        with transaction.atomic():
            subscriber, _created = Subscriber.objects.get_or_create(
                email=email, defaults={"language": language}
            )
    except IntegrityError:
        subscriber = Subscriber.objects.get(email=email)
    return Subscriber.objects.select_for_update().get(pk=subscriber.pk)


def _record(subscriber: Subscriber, **fields: object) -> ConsentEvent:
    recorded_by = fields.get("recorded_by")
    if isinstance(recorded_by, User):
        fields.setdefault("recorded_by_name", recorded_by.display_name[:200])
    event = ConsentEvent(subscriber=subscriber, at=timezone.now(), **fields)
    event.save(force_insert=True)
    return event


def _is_the_person(actor: User | None, email: str) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and bool(actor.email)
        and actor.email.lower() == email
    )


@transaction.atomic
def subscribe(
    *,
    actor: User | None,
    email: str,
    language: str = Language.FRENCH,
    topics: Sequence[str] | None = None,
    kind: str = Kind.EXPRESS,
    source: str,
    text_version: str = "",
    recorded_by: User | None = None,
) -> tuple[Subscriber, ConsentEvent | None]:
    """Record a consent for an address (made a subscriber if it is not one yet).

    Returns the subscriber and the event written (None when nothing new needed writing: a
    confirmation already on its way, or express consent already on file for a form).
    """
    email = normalized_email(email)
    _check_language(language)
    chosen = _check_topics(topics) if topics is not None else None
    if kind == Kind.EXPRESS:
        if source not in EXPRESS_SOURCES:
            raise InvalidInput(_("Express consent is given in the portal, on a form, to staff "
                                 "or through the API."), field="source")  # fmt: skip
    elif kind == Kind.IMPLIED:
        if source not in IMPLIED_SOURCES:
            raise InvalidInput(_("Implied consent comes from a contract, a plan or a request."),
                               field="source")  # fmt: skip
        if actor is None:
            raise NotAllowed(_("Only support staff can record implied consent."))
        require_staff(actor, _("Only support staff can record implied consent."))
    else:
        raise InvalidInput(_("The consent is express or implied."), field="kind")
    subscriber = _locked_subscriber(email, language=language)
    if subscriber.person_id is None:
        subscriber.person = user_by_email(email)
    subscriber.language = language
    if chosen is not None:
        subscriber.topics = chosen
    subscriber.save(update_fields=["person", "language", "topics"])
    if kind == Kind.IMPLIED:
        return subscriber, _implied(subscriber, source=source, actor=actor)
    return subscriber, _express(
        subscriber, actor=actor, source=source, text_version=text_version, recorded_by=recorded_by
    )


def _express(
    subscriber: Subscriber,
    *,
    actor: User | None,
    source: str,
    text_version: str,
    recorded_by: User | None,
) -> ConsentEvent | None:
    text = (
        ConsentText.objects.filter(version=text_version).first()
        if text_version
        else selectors.current_text()
    )
    if text is None:
        if text_version:
            raise InvalidInput(_("No consent text has this version."), field="text_version")
        raise InvalidInput(_("No consent text is published yet."), field="text_version")
    words = text.text(subscriber.language)
    if source == Source.PORTAL and not _is_the_person(actor, subscriber.email):
        raise NotAllowed(_("In the portal, a person subscribes their own address only."))
    if source == Source.CONSOLE:
        witness = recorded_by or actor
        if witness is None or not witness.is_staff_member:
            raise NotAllowed(_("Consent given to staff is recorded by a staff member."))
        if actor is None or not actor.is_staff_member:
            raise NotAllowed(_("Only support staff can record consent given to them."))
        return _record(subscriber, kind=Kind.EXPRESS, source=source, text_version=text.version,
                       text=words, recorded_by=witness)  # fmt: skip
    if _is_the_person(actor, subscriber.email):
        return _record(subscriber, kind=Kind.EXPRESS, source=source, text_version=text.version,
                       text=words, recorded_by=actor)  # fmt: skip
    # Anyone may type any address in a form: the address's owner confirms (double opt-in).
    state = selectors.state_of(subscriber)
    if state.basis == Kind.EXPRESS:
        return None
    recent = subscriber.events.filter(
        kind=Kind.EXPRESS,
        awaiting_confirmation=True,
        at__gte=timezone.now() - CONFIRMATION_EVERY,
    ).exists()
    if recent:
        return None
    event = _record(
        subscriber, kind=Kind.EXPRESS, source=source, text_version=text.version, text=words,
        awaiting_confirmation=True,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    notify.subscription_to_confirm(
        address=subscriber.email,
        language=subscriber.language,
        url=links.confirmation(tokens.confirmation_token(event.pk)),
        sender=selectors.settings_row().sender_name,
    )
    return event


def _relationship_basis(subscriber: Subscriber, source: str) -> tuple[str, datetime, str] | None:
    """(source, expiry, basis in words) of the address's relationship, from what is on file."""
    person = subscriber.person
    if person is None or person.organization_id is None:
        return None
    if source == Source.INQUIRY:
        asked = last_request_at(person.pk)
        if asked is None:
            return None
        day = timezone.localtime(asked, VENDOR_ZONE).date()
        until = expiry.inquiry_expiry(day)
        return Source.INQUIRY, _start_of(until), f"request of {day.isoformat()}"
    relationship = business_relationship(person.organization_id)
    if relationship is None:
        return None
    until = expiry.relationship_expiry(relationship.ends_on)
    kind = Source.CONTRACT if relationship.source == "contract" else Source.PLAN
    basis = f"{relationship.source} {relationship.reference} ends {relationship.ends_on}"
    return kind, _start_of(until), basis


def _start_of(day: date) -> datetime:
    """Implied consent ends when this day starts, vendor time."""
    return datetime.combine(day, time.min, tzinfo=VENDOR_ZONE)


def _implied(subscriber: Subscriber, *, source: str, actor: User | None) -> ConsentEvent:
    state = selectors.state_of(subscriber)
    if state.status == "unsubscribed":
        raise Conflict(
            _("This address unsubscribed: only its owner can subscribe again (express consent).")
        )
    found = _relationship_basis(subscriber, source)
    if found is None:
        raise InvalidInput(
            _("No business relationship is on file for this address: implied consent needs a "
              "contract, a plan or a request by a contact with this address."),
            field="consent",
        )  # fmt: skip
    kind, until, basis = found
    if until <= timezone.now():
        raise InvalidInput(
            _("The relationship on file ended too long ago: implied consent has expired."),
            field="consent",
        )
    return _record(subscriber, kind=Kind.IMPLIED, source=kind, expires_at=until, basis=basis[:300],
                   recorded_by=actor)  # fmt: skip


def implied_renew(*, subscriber_ids: Sequence[int] | None = None) -> int:
    """Extend implied consent whose relationship was renewed (a new contract, a later end).

    Only addresses whose consent rests on an implied event after their last withdrawal: an
    unsubscribe is never overridden. A later expiry is a new event; returns how many.
    """
    implied = ConsentEvent.objects.filter(kind=Kind.IMPLIED)
    if subscriber_ids is not None:
        implied = implied.filter(subscriber_id__in=list(subscriber_ids))
    candidates = sorted(set(implied.values_list("subscriber_id", flat=True)))
    renewed = 0
    for pk in candidates:
        with transaction.atomic():
            subscriber = (
                Subscriber.objects.select_for_update(of=("self",))
                .select_related("person")
                .get(pk=pk)
            )
            state = selectors.state_of(subscriber)
            if state.basis != Kind.IMPLIED:
                continue
            latest = subscriber.events.filter(kind=Kind.IMPLIED).order_by("-id").first()
            assert latest is not None
            found = _relationship_basis(subscriber, latest.source)
            if found is None or state.until is None or found[1] <= state.until:
                continue
            kind, until, basis = found
            _record(subscriber, kind=Kind.IMPLIED, source=kind, expires_at=until,
                    basis=f"renewed: {basis}"[:300])  # fmt: skip
            renewed += 1
    return renewed


@transaction.atomic
def confirm(*, token: str) -> Subscriber:
    """The person confirmed from the link sent to the address: the consent now counts."""
    event_id = tokens.confirmation_from(token)
    request = (
        ConsentEvent.objects.filter(pk=event_id, awaiting_confirmation=True).first()
        if event_id
        else None
    )
    if request is None:
        raise NotFound(_("This confirmation link is not valid, or too old."))
    subscriber = lock_row(Subscriber, request.subscriber_id)
    if not request.confirmations.exists():
        _record(subscriber, kind=Kind.EXPRESS, source=Source.CONFIRMATION, confirms=request,
                text_version=request.text_version, text=request.text)  # fmt: skip
    return subscriber


def subscriber_from_token(token: str) -> Subscriber:
    """The reader a link names; NotFound for a forged, damaged or outdated link."""
    subscriber_id = tokens.reader_from(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() if subscriber_id else None
    if subscriber is None:
        raise NotFound(_("This link is not valid: it may have been cut or changed."))
    return subscriber


@transaction.atomic
def unsubscribe(
    *, subscriber: Subscriber, source: str, actor: User | None = None
) -> ConsentEvent | None:
    """Withdraw the address's consent, at once; None if it had none to withdraw."""
    if source not in WITHDRAWAL_SOURCES:
        raise InvalidInput(_("Unknown source."), field="source")
    if source == Source.CONSOLE:
        if actor is None:
            raise NotAllowed(_("Only support staff can do this."))
        require_staff(actor)
    if source == Source.PORTAL and not _is_the_person(actor, subscriber.email):
        raise NotAllowed(_("In the portal, a person unsubscribes their own address only."))
    subscriber = lock_row(Subscriber, subscriber.pk)
    state = selectors.state_of(subscriber)
    if state.status in ("unsubscribed", "none"):
        return None
    event = _record(
        subscriber, kind=Kind.WITHDRAWAL, source=source,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    # Copies not yet taken by a sender are skipped now; a sender holding one checks again
    # before handing it to the server.
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED, note="unsubscribed after sending started"
    )
    return event


@transaction.atomic
def preferences_save(*, subscriber: Subscriber, language: str, topics: Sequence[str]) -> Subscriber:
    """The reader's language and topics (from the link in each issue, or the portal)."""
    _check_language(language)
    chosen = _check_topics(topics)
    if not topics:
        raise InvalidInput(_("Choose at least one topic, or unsubscribe."), field="topics")
    subscriber = lock_row(Subscriber, subscriber.pk)
    subscriber.language = language
    subscriber.topics = chosen
    subscriber.save(update_fields=["language", "topics"])
    return subscriber


# --- suppression list ------------------------------------------------------------------------


def _suppress(email: str, reason: str, detail: str) -> Suppression:
    row, _created = Suppression.objects.get_or_create(
        email=email.lower(), defaults={"reason": reason, "detail": detail[:500]}
    )
    return row


@transaction.atomic
def suppress(*, actor: User, email: str, detail: str = "") -> Suppression:
    """Staff stop all sending to an address (a complaint, a known dead address)."""
    require_manager(actor, MANAGERS_ONLY)
    return _suppress(normalized_email(email), Suppression.Reason.MANUAL, detail)


@transaction.atomic
def unsuppress(*, actor: User, suppression: Suppression) -> None:
    require_manager(actor, MANAGERS_ONLY)
    Suppression.objects.filter(pk=suppression.pk).delete()


def delivery_of(message_id: str) -> int | None:
    """The delivery a Message-ID of ours names, or None if it is not a newsletter message."""
    if verify_message_id(message_id) is None:
        return None
    match = OUR_ID.match(message_id.strip().strip("<>"))
    nonce = match[2] if match else ""
    if not nonce.startswith("nl"):
        return None
    try:
        return int(nonce[2:], 16)
    except ValueError:
        return None


@transaction.atomic
def hard_bounce(*, message_ids: Sequence[str], detail: str) -> list[str]:
    """A delivery report says a newsletter message failed for good: stop sending to it.

    Called by the mail channel with the Message-IDs the report quotes; only our own signed
    newsletter Message-IDs count (a forged report cannot suppress anyone else). Returns the
    addresses suppressed.
    """
    suppressed = []
    for message_id in message_ids:
        delivery_id = delivery_of(message_id)
        if delivery_id is None:
            continue
        delivery = Delivery.objects.filter(pk=delivery_id).first()
        if delivery is None:
            continue
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENT).update(
            status=Delivery.Status.BOUNCED, note=detail[:500]
        )
        _suppress(delivery.email, Suppression.Reason.HARD_BOUNCE, detail)
        suppressed.append(delivery.email)
    return suppressed


# --- settings and consent texts ----------------------------------------------------------------


@transaction.atomic
def settings_save(
    *,
    actor: User,
    sender_name: str,
    postal_address: str,
    reach: str,
    from_address: str = "",
    batch_size: int = 100,
    rate_per_minute: int = 600,
    senders: int = 2,
) -> NewsletterSettings:
    """Who sends the newsletter (CASL: name, postal address, a way to reach them) and how fast."""
    require_manager(actor, MANAGERS_ONLY)
    if not sender_name.strip():
        raise InvalidInput(_("Give the sender's name."), field="sender_name")
    if not postal_address.strip():
        raise InvalidInput(_("Give the postal address: the law requires it."),
                           field="postal_address")  # fmt: skip
    if not reach.strip():
        raise InvalidInput(_("Give a way to reach you: an email, a phone or a web address."),
                           field="reach")  # fmt: skip
    if from_address.strip():
        from_address = normalized_email(from_address)
    if not 1 <= batch_size <= 5000:
        raise InvalidInput(_("A batch holds 1 to 5,000 messages."), field="batch_size")
    if not 0 <= rate_per_minute <= 100_000:
        raise InvalidInput(_("At most 100,000 messages a minute."), field="rate_per_minute")
    if not 1 <= senders <= 20:
        raise InvalidInput(_("From 1 to 20 workers."), field="senders")
    row = selectors.settings_row()
    row.sender_name = sender_name.strip()[:200]
    row.postal_address = postal_address.strip()
    row.reach = reach.strip()[:300]
    row.from_address = from_address.strip()
    row.batch_size = batch_size
    row.rate_per_minute = rate_per_minute
    row.senders = senders
    row.updated_at = timezone.now()
    row.save()
    return row


@transaction.atomic
def consent_text_add(*, actor: User, version: str, text_fr: str, text_en: str) -> ConsentText:
    """A new wording of what people agree to; earlier versions stay as they were."""
    require_manager(actor, MANAGERS_ONLY)
    version = version.strip()
    if not version:
        raise InvalidInput(_("Name the version (a date will do)."), field="version")
    if not text_fr.strip() or not text_en.strip():
        raise InvalidInput(_("Write the text in French and in English."), field="text_fr")
    if ConsentText.objects.filter(version=version).exists():
        raise Conflict(_("This version exists: texts agreed to are never changed."),
                       field="version")  # fmt: skip
    return ConsentText.objects.create(
        version=version[:40], text_fr=text_fr.strip(), text_en=text_en.strip(), created_by=actor
    )
