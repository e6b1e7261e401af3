"""Writes on issues: compose, draft from the knowledge base, schedule, send; one transaction each.

Sending starts by fixing the recipients: the subscribers who may be written to at that moment
(read from the consent ledger), each in their own language and with their own topics. The
senders then work through those copies (`sending.py`), in batches, each copy at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from soutien.accounts.models import User
from soutien.accounts.permissions import require_manager
from soutien.contracts.terms import VENDOR_ZONE
from soutien.core.dates import check_year, month_text
from soutien.core.db import lock_row
from soutien.core.errors import Conflict, InvalidInput
from soutien.kb import selectors as kb
from soutien.kb import services as kb_services
from soutien.newsletter import compose, markdown, selectors, services, tasks
from soutien.newsletter.models import (
    Delivery,
    Issue,
    IssueImage,
    IssueSection,
    ResolvedProblem,
    Topic,
)
from soutien.ticketing.models import Ticket

MANAGERS_ONLY = services.MANAGERS_ONLY
MAX_IMAGE_BYTES = 2 * 1024 * 1024
SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}
POPULAR = 5
# A draft is about the month it is started in; sending may happen the month after.
MAX_SECTIONS = 20


@dataclass(frozen=True)
class SectionText:
    topic: str
    title_fr: str
    title_en: str
    body_fr: str = ""
    body_en: str = ""


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=VENDOR_ZONE)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime(following.year, following.month, 1, tzinfo=VENDOR_ZONE)


def this_month() -> date:
    return first_of_month(timezone.localtime(timezone.now(), VENDOR_ZONE).date())


def _in_both(text: str) -> tuple[str, str]:
    """A heading of ours (marked with gettext_noop) in French and in English."""
    words = []
    for language in ("fr", "en"):
        with translation.override(language):
            words.append(_(text))
    return words[0], words[1]


def _article_lines(groups: Sequence[str], language: str) -> str:
    versions = kb.public_versions(groups)
    lines = []
    for group in groups:
        found = versions.get(group, {})
        article = found.get(language) or found.get("fr") or found.get("en")
        if article is None:
            continue
        path = reverse("public:article", args=[article.slug])
        summary = f" — {article.summary}" if article.summary else ""
        lines.append(f"- [{article.title}]({path}){summary}")
    return "\n".join(lines)


def _problem_lines(problems: Sequence[ResolvedProblem], language: str) -> str:
    return "\n\n".join(f"**{p.title(language)}**\n\n{p.summary(language)}" for p in problems)


def _drafted_sections(month: date) -> tuple[list[SectionText], list[ResolvedProblem]]:
    """The month's new and most consulted public articles, and the problems worth telling."""
    start, end = _month_bounds(month)
    new_groups = list(dict.fromkeys(a.group for a in kb.public_published_between(start, end)))
    last_day = (end - timedelta(days=1)).date()
    popular = [
        g
        for g in kb.public_most_viewed_between(month, last_day, limit=POPULAR + len(new_groups))
        if g not in new_groups
    ][:POPULAR]
    problems = list(
        ResolvedProblem.objects.filter(told_in__isnull=True, ticket__resolved_at__lt=end)
        .select_related("ticket")
        .order_by("ticket__resolved_at", "id")
    )
    sections = []
    if new_groups:
        fr, en = _in_both(gettext_noop("New in the knowledge base"))
        sections.append(SectionText(Topic.KNOWLEDGE_BASE, fr, en,
                                    _article_lines(new_groups, "fr"),
                                    _article_lines(new_groups, "en")))  # fmt: skip
    if popular:
        fr, en = _in_both(gettext_noop("Most consulted this month"))
        sections.append(SectionText(Topic.KNOWLEDGE_BASE, fr, en,
                                    _article_lines(popular, "fr"),
                                    _article_lines(popular, "en")))  # fmt: skip
    if problems:
        fr, en = _in_both(gettext_noop("Problems solved"))
        sections.append(SectionText(Topic.PROBLEMS, fr, en,
                                    _problem_lines(problems, "fr"),
                                    _problem_lines(problems, "en")))  # fmt: skip
    return sections, problems


def _check_sections(sections: Sequence[SectionText]) -> None:
    if len(sections) > MAX_SECTIONS:
        raise InvalidInput(_("At most %(n)d sections.") % {"n": MAX_SECTIONS}, field="sections")
    for section in sections:
        if section.topic not in Topic.values:
            raise InvalidInput(_("Unknown topic: %(value)s.") % {"value": section.topic},
                               field="sections")  # fmt: skip
        if not section.title_fr.strip() or not section.title_en.strip():
            raise InvalidInput(_("Each section has a title in French and in English."),
                               field="sections")  # fmt: skip


def _set_sections(issue: Issue, sections: Sequence[SectionText]) -> None:
    issue.sections.all().delete()
    IssueSection.objects.bulk_create(
        IssueSection(
            issue=issue,
            position=n,
            topic=s.topic,
            title_fr=s.title_fr.strip()[:200],
            title_en=s.title_en.strip()[:200],
            body_fr=s.body_fr,
            body_en=s.body_en,
        )
        for n, s in enumerate(sections)
    )


@transaction.atomic
def issue_create(
    *,
    actor: User,
    month: date | None = None,
    subject_fr: str = "",
    subject_en: str = "",
    intro_fr: str = "",
    intro_en: str = "",
    sections: Sequence[SectionText] | None = None,
    from_knowledge_base: bool = False,
) -> Issue:
    """A new issue for a month (this month by default); `from_knowledge_base` drafts it: the
    month's new and most consulted articles and the resolved problems marked worth telling."""
    require_manager(actor, MANAGERS_ONLY)
    month = first_of_month(month or this_month())
    if Issue.objects.filter(month=month).exists():
        raise Conflict(_("This month already has an issue."), field="month")
    drafted: list[SectionText] = []
    problems: list[ResolvedProblem] = []
    if from_knowledge_base:
        drafted, problems = _drafted_sections(month)
    chosen = list(sections) if sections is not None else drafted
    _check_sections(chosen)
    fallback = {}
    for language in ("fr", "en"):
        with translation.override(language):
            fallback[language] = _("Technical newsletter — %(month)s") % {
                "month": month_text(month, language)
            }
    issue = Issue.objects.create(
        month=month,
        subject_fr=(subject_fr.strip() or fallback["fr"])[:200],
        subject_en=(subject_en.strip() or fallback["en"])[:200],
        intro_fr=intro_fr,
        intro_en=intro_en,
        created_by=actor,
    )
    _set_sections(issue, chosen)
    if problems:
        ResolvedProblem.objects.filter(pk__in=[p.pk for p in problems]).update(told_in=issue)
    return issue


def _locked(issue: Issue) -> Issue:
    return lock_row(Issue, issue.pk)


@transaction.atomic
def issue_update(
    *,
    actor: User,
    issue: Issue,
    subject_fr: str,
    subject_en: str,
    intro_fr: str,
    intro_en: str,
    sections: Sequence[SectionText] | None = None,
) -> Issue:
    """Change a draft: its subjects, introductions and (if given) its sections."""
    require_manager(actor, MANAGERS_ONLY)
    issue = _locked(issue)
    if not issue.is_editable:
        raise Conflict(_("Only a draft can be changed: put it back to draft first."))
    if not subject_fr.strip() or not subject_en.strip():
        raise InvalidInput(_("Write the subject in French and in English."), field="subject_fr")
    if sections is not None:
        _check_sections(sections)
        _set_sections(issue, sections)
    issue.subject_fr = subject_fr.strip()[:200]
    issue.subject_en = subject_en.strip()[:200]
    issue.intro_fr = intro_fr
    issue.intro_en = intro_en
    issue.updated_at = timezone.now()
    issue.save()
    return issue


@transaction.atomic
def issue_image_add(*, actor: User, issue: Issue, name: str, content: bytes) -> IssueImage:
    """An image for an issue (PNG, JPEG, GIF or WebP, checked by content); its Markdown is
    `![...](<its address>)`."""
    require_manager(actor, MANAGERS_ONLY)
    if len(content) > MAX_IMAGE_BYTES:
        raise InvalidInput(_("An image is at most 2 MB."), field="image")
    content_type = kb_services.image_type(content[:16])
    if content_type is None:
        raise InvalidInput(_("Only PNG, JPEG, GIF and WebP images can be added."), field="image")
    suffix = SUFFIXES[content_type]
    image = IssueImage(issue=issue, name=name[:200] or f"image{suffix}",
                       content_type=content_type, size=len(content))  # fmt: skip
    image.file.save(f"image{suffix}", ContentFile(content), save=False)
    image.save()
    return image


def image_path(image: IssueImage) -> str:
    return f"{markdown.IMAGE_PREFIX}{image.key.hex}"


def _check_complete(issue: Issue) -> None:
    if not issue.subject_fr.strip() or not issue.subject_en.strip():
        raise InvalidInput(_("Write the subject in French and in English."), field="subject_fr")
    sections = list(issue.sections.all())
    if not (issue.intro_fr.strip() and issue.intro_en.strip()) and not sections:
        raise InvalidInput(_("The issue is empty: write an introduction or add a section."),
                           field="intro_fr")  # fmt: skip
    for section in sections:
        if bool(section.body_fr.strip()) != bool(section.body_en.strip()):
            raise InvalidInput(
                _("The section “%(title)s” is written in one language only.")
                % {"title": section.title_fr},
                field="sections",
            )
    if not selectors.settings_row().postal_address.strip():
        raise InvalidInput(
            _("Fill in the sender's identification (name, postal address, how to reach you) "
              "in the newsletter settings first: every issue must carry it."),
            field="settings",
        )  # fmt: skip


@transaction.atomic
def issue_schedule(*, actor: User, issue: Issue, at: datetime) -> Issue:
    """Send the issue at a given time (the periodic job starts it)."""
    require_manager(actor, MANAGERS_ONLY)
    issue = _locked(issue)
    if issue.status != Issue.Status.DRAFT:
        raise Conflict(_("Only a draft can be scheduled."))
    if at < timezone.now() - timedelta(minutes=1):
        raise InvalidInput(_("Choose a time to come."), field="scheduled_for")
    check_year(at, field="scheduled_for")
    _check_complete(issue)
    issue.status = Issue.Status.SCHEDULED
    issue.scheduled_for = at
    issue.save(update_fields=["status", "scheduled_for"])
    return issue


@transaction.atomic
def issue_unschedule(*, actor: User, issue: Issue) -> Issue:
    """Back to draft, before its time comes."""
    require_manager(actor, MANAGERS_ONLY)
    issue = _locked(issue)
    if issue.status != Issue.Status.SCHEDULED:
        raise Conflict(_("Only a scheduled issue can go back to draft."))
    issue.status = Issue.Status.DRAFT
    issue.scheduled_for = None
    issue.save(update_fields=["status", "scheduled_for"])
    return issue


def _start(issue: Issue) -> int:
    """Fix the recipients (in the caller's transaction, the issue locked); returns how many."""
    _check_complete(issue)
    services.implied_renew()
    now = timezone.now()
    topics = set(issue.sections.values_list("topic", flat=True))
    readers = selectors.consenting(at=now).values_list("pk", "email", "language", "topics")
    copies = [
        Delivery(issue=issue, subscriber_id=pk, email=email, language=language, topics=chosen)
        for pk, email, language, chosen in readers.order_by("pk").iterator(chunk_size=2000)
        if compose.gets_something(chosen, topics)
    ]
    Delivery.objects.bulk_create(copies, batch_size=2000)
    issue.status = Issue.Status.SENDING
    issue.started_at = now
    issue.active_at = now
    issue.save(update_fields=["status", "started_at", "active_at"])
    senders = selectors.settings_row().senders
    pk = issue.pk
    transaction.on_commit(lambda: tasks.send_later(pk, senders=senders))
    return len(copies)


@transaction.atomic
def issue_send(*, actor: User, issue: Issue) -> Issue:
    """Start sending now; a second send of an issue sent or being sent is a conflict (409)."""
    require_manager(actor, MANAGERS_ONLY)
    issue = _locked(issue)
    if issue.status in (Issue.Status.SENDING, Issue.Status.SENT):
        raise Conflict(_("This issue has already been sent: an issue goes out once."))
    _start(issue)
    return issue


def start_due(*, now: datetime | None = None) -> list[int]:
    """Start the scheduled issues whose time has come (the periodic job)."""
    now = now or timezone.now()
    started = []
    for pk in Issue.objects.filter(
        status=Issue.Status.SCHEDULED, scheduled_for__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            issue = Issue.objects.select_for_update().filter(pk=pk).first()
            if issue is None or issue.status != Issue.Status.SCHEDULED:
                continue
            try:
                _start(issue)
            except InvalidInput as exc:
                Issue.objects.filter(pk=pk).update(problem=exc.message[:500])
                continue
            started.append(pk)
    return started


def issue_test_send(*, actor: User, issue: Issue) -> str:
    """A copy in each language to the manager's own address, marked as a test."""
    require_manager(actor, MANAGERS_ONLY)
    if not actor.email:
        raise InvalidInput(_("Your account has no email address to send the test to."))
    address, pk = actor.email, issue.pk
    transaction.on_commit(lambda: tasks.send_test_later(pk, address))
    return address


# --- problems worth telling ------------------------------------------------------------------


@transaction.atomic
def problem_mark(
    *,
    actor: User,
    ticket: Ticket,
    title_fr: str,
    title_en: str,
    summary_fr: str,
    summary_en: str,
) -> ResolvedProblem:
    """A resolved level-2 request is worth telling, in words that name no client."""
    require_manager(actor, MANAGERS_ONLY)
    if ticket.level != 2 or ticket.resolved_at is None:
        raise InvalidInput(_("Only a resolved level-2 request can be told in the newsletter."),
                           field="ticket")  # fmt: skip
    if not all(v.strip() for v in (title_fr, title_en, summary_fr, summary_en)):
        raise InvalidInput(_("Write the title and the summary in French and in English."),
                           field="title_fr")  # fmt: skip
    problem, _created = ResolvedProblem.objects.update_or_create(
        ticket=ticket,
        defaults={
            "title_fr": title_fr.strip()[:200], "title_en": title_en.strip()[:200],
            "summary_fr": summary_fr.strip(), "summary_en": summary_en.strip(),
            "marked_by": actor, "marked_at": timezone.now(),
        },
    )  # fmt: skip
    return problem


@transaction.atomic
def problem_unmark(*, actor: User, problem: ResolvedProblem) -> None:
    require_manager(actor, MANAGERS_ONLY)
    told = problem.told_in if problem.told_in_id is not None else None
    if told is not None and told.status != Issue.Status.DRAFT:
        raise Conflict(_("This problem was told in an issue already sent."))
    ResolvedProblem.objects.filter(pk=problem.pk).delete()


def forget_deliveries(*, older_than: timedelta = timedelta(days=90)) -> int:
    """Keep each sent issue's figures, forget who got it (Law 25: no longer than needed)."""
    horizon = timezone.now() - older_than
    forgotten = 0
    for issue in Issue.objects.filter(status=Issue.Status.SENT, finished_at__lt=horizon):
        with transaction.atomic():
            if not issue.deliveries.exists():
                continue
            issue.tally = selectors.delivery_counts(issue)
            issue.save(update_fields=["tally"])
            forgotten += issue.deliveries.all().delete()[0]
    return forgotten
