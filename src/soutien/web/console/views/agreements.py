"""Development agreements in the console: the approval queue, production, the editor, each step."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from soutien.accounts.models import User
from soutien.agreements import dates, roles, selectors, services
from soutien.agreements.models import EDITABLE, FINISHED, Action, Agreement, Delegate, State
from soutien.core.errors import ServiceError
from soutien.ticketing import selectors as ticket_selectors
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.agreements import TransitionForm, document_response, page_context, take_step
from soutien.web.console.forms.agreements import (
    AgreementForm,
    AgreementSettingsForm,
    BaseMilestoneFormSet,
    DelegateForm,
    MilestoneFormSet,
    apply_agreement_error,
)
from soutien.web.forms import apply_service_error, reporting

DONE_MESSAGES = {
    Action.PROPOSE: gettext_lazy("Proposed to the development lead."),
    Action.APPROVE: gettext_lazy("Approved: it can be sent to the client."),
    Action.REJECT: gettext_lazy("Sent back to its author."),
    Action.SEND: gettext_lazy("Sent to the client's administrators, with its PDF."),
    Action.START: gettext_lazy("Production started."),
    Action.DELIVER: gettext_lazy("Delivered: the client is asked to confirm."),
    Action.CANCEL: gettext_lazy("Agreement cancelled."),
}
RECENT = 50


@staff_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    """What awaits the development lead, what is in production, and the rest under way."""
    production = list(selectors.in_production())
    for agreement in production:
        agreement.next_milestone = selectors.next_milestone(agreement)  # type: ignore[attr-defined]
    others = (
        Agreement.objects.exclude(state__in=[State.PROPOSED, *FINISHED])
        .filter(started_at__isnull=True)
        .select_related("ticket", "organization", "current", "author")
        .order_by("-updated_at", "-id")[:RECENT]
    )
    return render(
        request,
        "console/agreements/list.html",
        {
            "to_approve": list(selectors.approval_queue()),
            "may_approve": roles.may_approve(current_user(request)),
            "production": production,
            "others": list(others),
            "today": dates.local_date(timezone.now()),
        },
    )


def _page(
    request: HttpRequest,
    user: User,
    agreement: Agreement,
    *,
    bound: TransitionForm | None = None,
) -> HttpResponse:
    context = page_context(user, agreement, bound=bound)
    context.update(
        {
            "request_view": "console:ticket",
            "document_view": "console:agreement_document",
            "milestone_view": "console:agreement_milestone_done",
            "can_mark_done": roles.may_write(user)
            and agreement.accepted_id is not None
            and agreement.state not in FINISHED,
            "can_edit": roles.may_write(user) and agreement.state in EDITABLE,
        }
    )
    status = 400 if bound is not None else 200
    return render(request, "console/agreements/detail.html", context, status=status)


@staff_required
@require_GET
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = current_user(request)
    return _page(request, user, selectors.agreement_for(user, agreement_id))


def _editor(
    request: HttpRequest,
    form: AgreementForm,
    milestones: BaseMilestoneFormSet,
    **context: object,
) -> HttpResponse:
    invalid = request.method == "POST"
    return render(
        request,
        "console/agreements/edit.html",
        {"form": form, "milestones": milestones, **context},
        status=400 if invalid else 200,
    )


@staff_required
def agreement_new(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Write the first version of an agreement on a level-3 request."""
    user = current_user(request)
    ticket = ticket_selectors.ticket_for(user, ticket_id)
    if request.method != "POST":
        form = AgreementForm(initial={"language": ticket.organization.language})
        return _editor(request, form, MilestoneFormSet(prefix="m"), ticket=ticket)
    form = AgreementForm(request.POST)
    milestones = MilestoneFormSet(request.POST, prefix="m")
    if form.is_valid() and milestones.is_valid():
        try:
            agreement = services.agreement_create(
                actor=user, ticket=ticket, milestones=milestones.milestones(), **form.content()
            )
        except ServiceError as exc:
            apply_agreement_error(form, milestones, exc)
        else:
            messages.success(request, _("Agreement written: version 1, a draft."))
            return redirect("console:agreement", agreement_id=agreement.pk)
    return _editor(request, form, milestones, ticket=ticket)


@staff_required
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Change the content: a new version (after approval, it needs a new approval)."""
    user = current_user(request)
    agreement = selectors.agreement_for(user, agreement_id)
    context = {"ticket": agreement.ticket, "agreement": agreement}
    if request.method != "POST":
        version = agreement.current
        assert version is not None
        rows = [
            {"id": m.id, "title": m.title, "due_on": m.due_on, "description": m.description}
            for m in selectors.milestone_lines(agreement, version)
        ]
        return _editor(
            request,
            AgreementForm(initial=AgreementForm.initial_for(version)),
            MilestoneFormSet(prefix="m", initial=rows),
            **context,
        )
    form = AgreementForm(request.POST)
    milestones = MilestoneFormSet(request.POST, prefix="m")
    if form.is_valid() and milestones.is_valid():
        try:
            revised = services.agreement_revise(
                actor=user,
                agreement=agreement,
                milestones=milestones.milestones(),
                **form.content(),
            )
        except ServiceError as exc:
            apply_agreement_error(form, milestones, exc)
        else:
            if revised.version == agreement.version:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("Version %(v)s saved.") % {"v": revised.version})
            return redirect("console:agreement", agreement_id=agreement.pk)
    return _editor(request, form, milestones, **context)


@staff_required
@require_POST
def agreement_transition(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Take one step (propose, approve, send back, send, start, deliver, cancel)."""
    user = current_user(request)
    agreement = selectors.agreement_for(user, agreement_id)
    form = TransitionForm(request.POST)
    if not (form.is_valid() and take_step(user, agreement, form)):
        return _page(request, user, selectors.agreement_for(user, agreement_id), bound=form)
    messages.success(request, str(DONE_MESSAGES.get(form.cleaned_data["action"], _("Done."))))
    return redirect("console:agreement", agreement_id=agreement.pk)


@staff_required
@require_POST
def milestone_done(request: HttpRequest, agreement_id: int, milestone_id: int) -> HttpResponse:
    user = current_user(request)
    agreement = selectors.agreement_for(user, agreement_id)
    with reporting(request, _("Milestone marked done.")):
        services.milestone_mark_done(actor=user, agreement=agreement, milestone_id=milestone_id)
    return redirect("console:agreement", agreement_id=agreement.pk)


@staff_required
@require_GET
def agreement_document(request: HttpRequest, agreement_id: int, number: int) -> HttpResponse:
    user = current_user(request)
    return document_response(user, selectors.agreement_for(user, agreement_id), number)


def _settings_page(
    request: HttpRequest,
    *,
    delegate_form: DelegateForm | None = None,
    settings_form: AgreementSettingsForm | None = None,
) -> HttpResponse:
    delegates = Delegate.objects.filter(revoked_at__isnull=True).select_related("user", "named_by")
    days = services.settings_now().confirm_after_days
    return render(
        request,
        "console/agreements/settings.html",
        {
            "delegates": list(delegates),
            "leads": list(roles.approvers().filter(is_development_lead=True)),
            "delegate_form": delegate_form or DelegateForm(prefix="d"),
            "settings_form": settings_form
            or AgreementSettingsForm(prefix="s", initial={"confirm_after_days": days}),
        },
        status=400 if delegate_form or settings_form else 200,
    )


@manager_required
def agreement_settings(request: HttpRequest) -> HttpResponse:
    """Who may approve besides the development lead, and how long a client has to confirm."""
    if request.method != "POST":
        return _settings_page(request)
    form = AgreementSettingsForm(request.POST, prefix="s")
    if form.is_valid():
        try:
            services.settings_update(
                actor=current_user(request),
                confirm_after_days=form.cleaned_data["confirm_after_days"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:agreement_settings")
    return _settings_page(request, settings_form=form)


@manager_required
@require_POST
def delegate_add(request: HttpRequest) -> HttpResponse:
    """Name a member of the staff to approve agreements in the development lead's stead."""
    form = DelegateForm(request.POST, prefix="d")
    if form.is_valid():
        try:
            services.delegate_name(actor=current_user(request), user=form.cleaned_data["user"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Delegate named."))
            return redirect("console:agreement_settings")
    return _settings_page(request, delegate_form=form)


@manager_required
@require_POST
def delegate_revoke(request: HttpRequest, delegate_id: int) -> HttpResponse:
    delegate = get_object_or_404(Delegate, pk=delegate_id)
    with reporting(request, _("Delegate revoked.")):
        services.delegate_revoke(actor=current_user(request), delegate=delegate)
    return redirect("console:agreement_settings")
