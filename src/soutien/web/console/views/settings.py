"""The support manager's settings: service calendars, closures and the published policy."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.core.errors import ServiceError
from soutien.sla import configuration
from soutien.sla.calendars import statutory_holidays_named
from soutien.sla.models import Closure, Policy, ServiceCalendar
from soutien.web.access import current_user, manager_required
from soutien.web.console.forms.settings import DAY_NAMES, CalendarForm, ClosureForm, PolicyForm
from soutien.web.forms import apply_service_error, initial_from


@manager_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = ServiceCalendar.objects.order_by("name")
    return render(request, "console/settings/calendar_list.html", {"calendars": calendars})


@manager_required
def calendar_edit(request: HttpRequest, calendar_id: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(ServiceCalendar, pk=calendar_id) if calendar_id else None
    if request.method == "POST":
        form = CalendarForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = configuration.calendar_save(
                    actor=current_user(request),
                    calendar=calendar,
                    name=data["name"],
                    time_zone=data["time_zone"],
                    always_open=data["always_open"],
                    windows=form.windows(),
                    holiday_country=data["holiday_country"] or "",
                    holiday_subdivision=data["holiday_subdivision"] or "",
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Calendar saved; open requests are being recomputed."))
                return redirect("console:calendar", calendar_id=saved.pk)
    else:
        form = CalendarForm.for_calendar(calendar) if calendar else CalendarForm()
    year = timezone.localdate().year
    holidays: list[tuple[date, str]] = []
    if calendar and calendar.holiday_country and not calendar.always_open:
        holidays = statutory_holidays_named(
            calendar.holiday_country,
            calendar.holiday_subdivision,
            year,
            year + 1,
            language=get_language() or "fr",
        )
    context = {
        "calendar": calendar,
        "form": form,
        "day_names": DAY_NAMES,
        "holidays": holidays,
        "closures": calendar.closures.all() if calendar else [],
        "closure_form": ClosureForm(),
    }
    return render(
        request, "console/settings/calendar_edit.html", context, status=400 if form.errors else 200
    )


@manager_required
@require_POST
def closure_add(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = get_object_or_404(ServiceCalendar, pk=calendar_id)
    form = ClosureForm(request.POST)
    if form.is_valid():
        configuration.closure_add(
            actor=current_user(request),
            calendar=calendar,
            day=form.cleaned_data["day"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Closure added; open requests are being recomputed."))
    else:
        messages.error(request, _("Give a valid date for the closure."))
    return redirect("console:calendar", calendar_id=calendar.pk)


@manager_required
@require_POST
def closure_remove(request: HttpRequest, calendar_id: int, closure_id: int) -> HttpResponse:
    closure = get_object_or_404(Closure, pk=closure_id, calendar_id=calendar_id)
    configuration.closure_remove(actor=current_user(request), closure=closure)
    messages.success(request, _("Closure removed."))
    return redirect("console:calendar", calendar_id=calendar_id)


@manager_required
def policy(request: HttpRequest) -> HttpResponse:
    versions = Policy.objects.select_related("calendar", "created_by").order_by("-effective_from")
    current = versions.filter(effective_from__lte=timezone.now()).first()
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                configuration.policy_publish(actor=current_user(request), **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("New version of the policy published."))
                return redirect("console:policy")
    else:
        # The next version starts from the one in force, from now (to the minute).
        initial = initial_from(current, PolicyForm) if current else {}
        initial["effective_from"] = timezone.localtime().replace(second=0, microsecond=0)
        form = PolicyForm(initial=initial)
    return render(
        request,
        "console/settings/policy.html",
        {"versions": versions, "current": current, "form": form},
        status=400 if form.errors else 200,
    )
