"""The monthly newsletter: subscribers with their consent ledger, issues and their sending."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.accounts.models import User
from soutien.api.v1.common import Id, LocalDateTime, LongText, caller, no_nul
from soutien.core.errors import InvalidInput
from soutien.newsletter import issues, links, selectors, services
from soutien.newsletter.issues import SectionText
from soutien.newsletter.models import ConsentEvent, Issue, Subscriber

router = Router(tags=["newsletter"])

Language = Literal["fr", "en"]
TopicName = Literal["knowledge_base", "problems", "news"]
Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(no_nul)]
Short = Annotated[str, Field(max_length=200), AfterValidator(no_nul)]


class ConsentIn(Schema):
    kind: Literal["express", "implied"]
    # Express: the version of the text the person agreed to (the current one if left out).
    text_version: Annotated[str, Field(max_length=40), AfterValidator(no_nul)] | None = None
    # Express: portal, public_form, console (given to staff), api. Implied: contract, plan,
    # inquiry -- the expiry is computed from what is on file.
    source: Literal["portal", "public_form", "console", "api", "contract", "plan", "inquiry"]
    # Express given to staff (on the phone, in person): the staff member who took it.
    recorded_by: Id | None = None


class SubscriberIn(Schema):
    email: Email
    language: Language = "fr"
    topics: list[TopicName] | None = None
    consent: ConsentIn


class StateOut(Schema):
    status: str
    basis: str
    since: LocalDateTime | None
    until: LocalDateTime | None


class EventOut(Schema):
    id: int
    kind: str
    source: str
    at: LocalDateTime
    text_version: str
    text: str
    recorded_by: str
    awaiting_confirmation: bool
    confirms: int | None
    expires_at: LocalDateTime | None
    basis: str

    @staticmethod
    def resolve_recorded_by(obj: ConsentEvent) -> str:
        return obj.recorded_by_name

    @staticmethod
    def resolve_confirms(obj: ConsentEvent) -> int | None:
        return obj.confirms_id


class SubscriberOut(Schema):
    id: int
    email: str
    language: str
    topics: list[str]
    state: StateOut
    ledger: list[EventOut]


def _subscriber_out(subscriber: Subscriber) -> dict[str, Any]:
    ledger = selectors.ledger_of(subscriber)
    state = selectors.state_from(ledger, suppressed=selectors.is_suppressed(subscriber.email))
    return {
        "id": subscriber.pk,
        "email": subscriber.email,
        "language": subscriber.language,
        "topics": subscriber.topics,
        "state": state,
        "ledger": ledger,
    }


@router.post(
    "/subscribers",
    response={201: SubscriberOut},
    summary="Record a subscription and its consent (express from a form: confirmed by email)",
)
def create_subscriber(request: HttpRequest, payload: SubscriberIn) -> Status[dict[str, Any]]:
    consent = payload.consent
    witness = None
    if consent.recorded_by is not None:
        witness = User.objects.filter(pk=consent.recorded_by, is_active=True).first()
        if witness is None:
            raise InvalidInput("No active user has this id.", field="consent.recorded_by")
    subscriber, _event = services.subscribe(
        actor=caller(request),
        email=payload.email,
        language=payload.language,
        topics=payload.topics,
        kind=consent.kind,
        source=consent.source,
        text_version=consent.text_version or "",
        recorded_by=witness,
    )
    return Status(201, _subscriber_out(subscriber))


@router.get(
    "/subscribers/{subscriber_id}", response=SubscriberOut, summary="A subscriber: state, ledger"
)
def get_subscriber(request: HttpRequest, subscriber_id: Id) -> dict[str, Any]:
    return _subscriber_out(selectors.subscriber_for(caller(request), subscriber_id))


class SectionIn(Schema):
    topic: TopicName
    title_fr: Short
    title_en: Short
    body_fr: LongText = ""
    body_en: LongText = ""


class IssueIn(Schema):
    # Any day of the month the issue is for; this month if left out.
    month: date | None = None
    subject_fr: Short = ""
    subject_en: Short = ""
    intro_fr: LongText = ""
    intro_en: LongText = ""
    sections: list[SectionIn] | None = None
    # Draft the sections from the month's new and most consulted articles and the resolved
    # problems marked worth telling (when `sections` is left out).
    from_knowledge_base: bool = False


class SectionOut(Schema):
    topic: str
    title_fr: str
    title_en: str
    body_fr: str
    body_en: str


class IssueOut(Schema):
    id: int
    month: str
    status: str
    subject_fr: str
    subject_en: str
    intro_fr: str
    intro_en: str
    sections: list[SectionOut]
    scheduled_for: LocalDateTime | None
    started_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    problem: str
    progress: selectors.Progress
    url: str | None

    @staticmethod
    def resolve_month(obj: Issue) -> str:
        return obj.slug

    @staticmethod
    def resolve_sections(obj: Issue) -> list[Any]:
        return list(obj.sections.all())

    @staticmethod
    def resolve_progress(obj: Issue) -> selectors.Progress:
        return selectors.progress_of(obj)

    @staticmethod
    def resolve_url(obj: Issue) -> str | None:
        """The issue's public page, once sending has started."""
        if obj.status in (Issue.Status.SENDING, Issue.Status.SENT):
            return links.issue_page(obj.slug)
        return None


class ScheduleIn(Schema):
    at: datetime


def _sections(payload: list[SectionIn] | None) -> list[SectionText] | None:
    if payload is None:
        return None
    return [SectionText(s.topic, s.title_fr, s.title_en, s.body_fr, s.body_en) for s in payload]


@router.post("/issues", response={201: IssueOut}, summary="Start an issue (or draft it)")
def create_issue(request: HttpRequest, payload: IssueIn) -> Status[Issue]:
    issue = issues.issue_create(
        actor=caller(request),
        month=payload.month,
        subject_fr=payload.subject_fr,
        subject_en=payload.subject_en,
        intro_fr=payload.intro_fr,
        intro_en=payload.intro_en,
        sections=_sections(payload.sections),
        from_knowledge_base=payload.from_knowledge_base,
    )
    return Status(201, issue)


@router.get("/issues/{issue_id}", response=IssueOut, summary="An issue and its sending progress")
def get_issue(request: HttpRequest, issue_id: Id) -> Issue:
    return selectors.issue_for_staff(caller(request), issue_id)


@router.post(
    "/issues/{issue_id}/send",
    response={202: IssueOut},
    summary="Send now: fixes the recipients; a second send is a conflict (409)",
)
def send_issue(request: HttpRequest, issue_id: Id) -> Status[Issue]:
    actor = caller(request)
    issue = issues.issue_send(actor=actor, issue=selectors.issue_for_staff(actor, issue_id))
    return Status(202, issue)


@router.post("/issues/{issue_id}/schedule", response=IssueOut, summary="Send at a given time")
def schedule_issue(request: HttpRequest, issue_id: Id, payload: ScheduleIn) -> Issue:
    actor = caller(request)
    issue = selectors.issue_for_staff(actor, issue_id)
    return issues.issue_schedule(actor=actor, issue=issue, at=payload.at)
