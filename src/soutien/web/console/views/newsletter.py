"""The newsletter in the console: compose and send issues (managers), record consent given on
the phone and read an address's ledger (staff), the problems worth telling, the settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.core.errors import Conflict, ServiceError
from soutien.newsletter import compose, issues, selectors, services
from soutien.newsletter.models import ALL_TOPICS, Issue, ResolvedProblem, Subscriber, Suppression
from soutien.ticketing.models import Ticket
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.forms.newsletter import (
    ConsentForm,
    ConsentTextForm,
    DraftForm,
    ImageForm,
    ImpliedForm,
    IssueForm,
    ProblemForm,
    ScheduleForm,
    SettingsForm,
    SuppressForm,
    section_formset,
)
from soutien.web.forms import apply_service_error, initial_from, reporting

HOME = "console:newsletter"
managers_only = manager_required(otherwise="console:newsletter_subscribers")


def _issue(issue_id: int) -> Issue:
    return get_object_or_404(Issue, pk=issue_id)


def _to_issue(issue: Issue) -> HttpResponse:
    return redirect("console:newsletter_issue", issue_id=issue.pk)


@manager_required
def home(request: HttpRequest) -> HttpResponse:
    """The issues, latest first, with their figures; start this month's draft."""
    rows = [(issue, selectors.progress_of(issue)) for issue in selectors.issues()[:36]]
    context = {
        "rows": rows,
        "draft_form": DraftForm(initial={"month": f"{issues.this_month():%Y-%m}"}),
        "audience": selectors.audience(),
        "settings": selectors.settings_row(),
        "has_text": selectors.current_text() is not None,
    }
    return render(request, "console/newsletter/home.html", context)


@manager_required
@require_POST
def draft(request: HttpRequest) -> HttpResponse:
    """Start a month's draft: the month's articles and the problems marked worth telling."""
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A month is written 2026-11."))
        return redirect(HOME)
    month = form.cleaned_data["month"]
    try:
        issue = issues.issue_create(
            actor=current_user(request), month=month, from_knowledge_base=True
        )
    except Conflict as exc:
        messages.error(request, exc.message)
        existing = Issue.objects.filter(month=month).first()
        return _to_issue(existing) if existing else redirect(HOME)
    messages.success(request, _("Draft started from the knowledge base: check it, then send."))
    return _to_issue(issue)


def _sections_initial(issue: Issue) -> list[dict[str, Any]]:
    fields = ("topic", "title_fr", "title_en", "body_fr", "body_en")
    return [{f: getattr(s, f) for f in fields} for s in issue.sections.all()]


@manager_required
def issue_detail(request: HttpRequest, issue_id: int) -> HttpResponse:
    """A draft to edit (subjects, introductions, sections), or the sending's progress."""
    issue = _issue(issue_id)
    form = IssueForm(initial=initial_from(issue, IssueForm))
    sections = section_formset(initial=_sections_initial(issue))
    if request.method == "POST":
        form = IssueForm(request.POST)
        sections = section_formset(request.POST)
        if form.is_valid() and sections.is_valid():
            try:
                issues.issue_update(
                    actor=current_user(request), issue=issue,
                    sections=sections.sections(), **form.cleaned_data,
                )  # fmt: skip
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Issue saved."))
                return _to_issue(issue)
    context = {
        "issue": issue,
        "form": form,
        "sections": sections,
        "schedule_form": ScheduleForm(),
        "image_form": ImageForm(),
        "images": [(image, issues.image_path(image)) for image in issue.images.all()],
        "progress": selectors.progress_of(issue),
    }
    status = 400 if form.errors or sections.total_error_count() else 200
    return render(request, "console/newsletter/issue.html", context, status=status)


@manager_required
@require_GET
def issue_progress(request: HttpRequest, issue_id: int) -> HttpResponse:
    """The sending's figures (htmx polls this while the issue is being sent)."""
    issue = _issue(issue_id)
    context = {"issue": issue, "progress": selectors.progress_of(issue)}
    return render(request, "console/newsletter/_progress.html", context)


@manager_required
@require_GET
def issue_preview(request: HttpRequest, issue_id: int, language: str) -> HttpResponse:
    """The email as a reader of every topic gets it (links to unsubscribe point nowhere)."""
    if language not in ("fr", "en"):
        raise Http404
    issue = _issue(issue_id)
    edition = compose.edition(issue, language, config=selectors.settings_row(), test=True)
    page = edition.personal(
        edition.html, {"address": "lecteur@example.org", "unsubscribe": "#", "preferences": "#"},
        escape=True,
    )  # fmt: skip
    response = HttpResponse(page)
    # The preview is the email: its own styles, no script, nothing loaded but its images.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


@manager_required
@require_POST
def issue_test(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    try:
        address = issues.issue_test_send(actor=current_user(request), issue=issue)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A test copy in each language is on its way to %(address)s.")
                         % {"address": address})  # fmt: skip
    return _to_issue(issue)


@manager_required
@require_POST
def issue_schedule(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day and the time to send it."))
        return _to_issue(issue)
    with reporting(request, _("Issue scheduled.")):
        issues.issue_schedule(actor=current_user(request), issue=issue, at=form.cleaned_data["at"])
    return _to_issue(issue)


@manager_required
@require_POST
def issue_unschedule(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    with reporting(request, _("The issue is a draft again.")):
        issues.issue_unschedule(actor=current_user(request), issue=issue)
    return _to_issue(issue)


@manager_required
@require_POST
def issue_send(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    with reporting(request, _("Sending started: the recipients are those who consent now.")):
        issues.issue_send(actor=current_user(request), issue=issue)
    return _to_issue(issue)


@manager_required
@require_POST
def issue_image(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image to add."))
        return _to_issue(issue)
    upload = form.cleaned_data["image"]
    with reporting(request, _("Image added: copy its Markdown into the text.")):
        issues.issue_image_add(
            actor=current_user(request), issue=issue, name=upload.name or "", content=upload.read()
        )
    return _to_issue(issue)


# --- subscribers: staff record consent given to them and read the ledger ---------------------


def _subscribers(request: HttpRequest, form: ConsentForm, status: int = 200) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:200]
    context = {
        "rows": selectors.subscribers_with_state(search=search),
        "q": search,
        "form": form,
        "has_text": selectors.current_text() is not None,
    }
    return render(request, "console/newsletter/subscribers.html", context, status=status)


@staff_required
@require_GET
def subscriber_list(request: HttpRequest) -> HttpResponse:
    text = selectors.current_text()
    initial = {"text_version": text.version if text else None, "topics": list(ALL_TOPICS)}
    return _subscribers(request, ConsentForm(initial=initial))


@staff_required
@require_POST
def subscriber_add(request: HttpRequest) -> HttpResponse:
    """Consent given on the phone or in person, recorded by the staff member who took it."""
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            subscriber, _event = services.subscribe(
                actor=current_user(request), **form.service_arguments()
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("console:newsletter_subscriber", subscriber_id=subscriber.pk)
    return _subscribers(request, form, status=400)


@staff_required
@require_GET
def subscriber_detail(request: HttpRequest, subscriber_id: int) -> HttpResponse:
    subscriber = get_object_or_404(Subscriber.objects.select_related("person"), pk=subscriber_id)
    ledger = selectors.ledger_of(subscriber)
    context = {
        "subscriber": subscriber,
        "ledger": ledger,
        "state": selectors.state_from(ledger, suppressed=selectors.is_suppressed(subscriber.email)),
        "implied_form": ImpliedForm(),
        "copies": selectors.copies_of(subscriber),
    }
    return render(request, "console/newsletter/subscriber.html", context)


@staff_required
@require_POST
def subscriber_unsubscribe(request: HttpRequest, subscriber_id: int) -> HttpResponse:
    subscriber = get_object_or_404(Subscriber, pk=subscriber_id)
    with reporting(request, _("Unsubscribed: it takes effect at once.")):
        services.unsubscribe(subscriber=subscriber, source="console", actor=current_user(request))
    return redirect("console:newsletter_subscriber", subscriber_id=subscriber.pk)


@staff_required
@require_POST
def subscriber_implied(request: HttpRequest, subscriber_id: int) -> HttpResponse:
    """Implied consent from the relationship on file; its expiry is computed."""
    subscriber = get_object_or_404(Subscriber, pk=subscriber_id)
    form = ImpliedForm(request.POST)
    if form.is_valid():
        with reporting(request, _("Implied consent recorded, with its expiry.")):
            services.subscribe(
                actor=current_user(request), email=subscriber.email,
                language=subscriber.language, kind="implied", source=form.cleaned_data["source"],
            )  # fmt: skip
    return redirect("console:newsletter_subscriber", subscriber_id=subscriber.pk)


# --- problems worth telling ---------------------------------------------------------------------


@managers_only
@require_GET
def problems(request: HttpRequest) -> HttpResponse:
    """Level-2 requests resolved this month and last: tell the ones worth telling."""
    since = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    since = (since - timedelta(days=1)).replace(day=1)
    rows = [
        (ticket, told, ProblemForm(initial=initial_from(told, ProblemForm)) if told else None)
        for ticket, told in selectors.problem_candidates(since=since)
    ]
    return render(
        request, "console/newsletter/problems.html", {"rows": rows, "blank": ProblemForm()}
    )


@managers_only
@require_POST
def problem_mark(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    form = ProblemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the title and the summary in French and in English."))
        return redirect("console:newsletter_problems")
    with reporting(request, _("Marked worth telling: the next draft tells it.")):
        issues.problem_mark(actor=current_user(request), ticket=ticket, **form.cleaned_data)
    return redirect("console:newsletter_problems")


@managers_only
@require_POST
def problem_unmark(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = get_object_or_404(ResolvedProblem, pk=problem_id)
    with reporting(request, _("No longer marked.")):
        issues.problem_unmark(actor=current_user(request), problem=problem)
    return redirect("console:newsletter_problems")


# --- settings: the sender's identification, the pace, consent texts, suppressed addresses -----


def _settings_page(
    request: HttpRequest,
    form: SettingsForm,
    text_form: ConsentTextForm,
    suppress_form: SuppressForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "text_form": text_form,
        "suppress_form": suppress_form,
        "texts": selectors.consent_texts(),
        "suppressed": selectors.suppressions(),
    }
    return render(request, "console/newsletter/settings.html", context, status=status)


@managers_only
def settings(request: HttpRequest) -> HttpResponse:
    row = selectors.settings_row()
    form = SettingsForm(initial=initial_from(row, SettingsForm))
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_save(actor=current_user(request), **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Newsletter settings saved."))
                return redirect("console:newsletter_settings")
    status = 400 if form.errors else 200
    return _settings_page(request, form, ConsentTextForm(), SuppressForm(), status)


@managers_only
@require_POST
def consent_text_add(request: HttpRequest) -> HttpResponse:
    form = ConsentTextForm(request.POST)
    if form.is_valid():
        try:
            services.consent_text_add(actor=current_user(request), **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Consent text published: new subscriptions agree to it."))
            return redirect("console:newsletter_settings")
    row = selectors.settings_row()
    settings_form = SettingsForm(initial=initial_from(row, SettingsForm))
    return _settings_page(request, settings_form, form, SuppressForm(), status=400)


@managers_only
@require_POST
def suppress(request: HttpRequest) -> HttpResponse:
    form = SuppressForm(request.POST)
    if form.is_valid():
        with reporting(request, _("Nothing will be sent to this address any more.")):
            services.suppress(actor=current_user(request), **form.cleaned_data)
    else:
        messages.error(request, _("This is not a valid email address."))
    return redirect("console:newsletter_settings")


@managers_only
@require_POST
def unsuppress(request: HttpRequest, suppression_id: int) -> HttpResponse:
    suppression = get_object_or_404(Suppression, pk=suppression_id)
    with reporting(request, _("The address is no longer suppressed.")):
        services.unsuppress(actor=current_user(request), suppression=suppression)
    return redirect("console:newsletter_settings")
