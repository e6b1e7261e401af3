"""Law 25 in the console: a person's page (export, access log), retention rules and runs, the
register of confidentiality incidents."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.core.errors import ServiceError
from soutien.privacy import selectors, services
from soutien.privacy.models import AccessEntry, Action, Export, Incident, RetentionRun
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.forms.people import RenameForm
from soutien.web.console.forms.privacy import IncidentForm, RuleForm
from soutien.web.forms import apply_service_error, initial_from, reporting

HOME = "console:privacy"
INCIDENT_FIELDS = tuple(IncidentForm.base_fields)


@staff_required
@require_GET
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person's record: opening it is noted in their access log, which managers see here."""
    return person_page(request, user_id)


def person_page(
    request: HttpRequest, user_id: int, rename_form: RenameForm | None = None
) -> HttpResponse:
    """The person's page (with a refused new name on its form, a 400)."""
    viewer = current_user(request)
    shown = selectors.person_visible(viewer, user_id)
    if shown is None:
        raise Http404
    services.access_record(viewer=viewer, person=shown, where=AccessEntry.Where.CONSOLE)
    context = {
        "person": shown,
        "exports": list(selectors.exports_of(shown)[:20]) if viewer.is_manager else [],
        "accesses": selectors.access_log_of(shown) if viewer.is_manager else [],
        "rename_form": rename_form or RenameForm(initial={"name": shown.full_name}),
    }
    status = 400 if rename_form is not None else 200
    return render(request, "console/privacy/person.html", context, status=status)


@manager_required
@require_POST
def person_export(request: HttpRequest, user_id: int) -> HttpResponse:
    """Make the export of a person's personal information (its request is recorded)."""
    actor = current_user(request)
    with reporting(request, _("The export is ready: download it to deliver it.")):
        services.export_request(actor=actor, person=services.person_for(actor, user_id))
    return redirect("console:person", user_id=user_id)


@manager_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    actor = current_user(request)
    try:
        export = services.export_download(actor=actor, export=services.export_for(actor, export_id))
    except ServiceError as exc:
        raise Http404(exc.message) from None
    data = bytes(Export.objects.values_list("data", flat=True).get(pk=export.pk))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@manager_required
def home(request: HttpRequest) -> HttpResponse:
    """Retention rules per kind of record, the runs, and the way to the incident register."""
    kinds = selectors.kinds_with_rules()
    rows = []
    for item in kinds:
        rule = item.rule
        initial = {
            "kind": item.purger.kind,
            "days": rule.days if rule else None,
            "action": rule.action if rule else item.purger.actions[0],
        }
        form = RuleForm(initial=initial, prefix=item.purger.kind)
        action = form.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [c for c in Action.choices if c[0] in item.purger.actions]
        rows.append((item, form))
    context = {
        "rows": rows,
        "runs": selectors.runs(),
        "incident_count": selectors.incidents().count(),
    }
    return render(request, "console/privacy/home.html", context)


@manager_required
@require_POST
def rule_save(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    form = RuleForm(request.POST, prefix=kind)
    if not form.is_valid():
        messages.error(request, _("A period is a whole number of days, at least 1."))
        return redirect(HOME)
    data = form.cleaned_data
    with reporting(request, _("Retention rule saved.")):
        services.rule_set(
            actor=current_user(request), kind=data["kind"], days=data["days"], action=data["action"]
        )
    return redirect(HOME)


@manager_required
@require_POST
def retention_run(request: HttpRequest) -> HttpResponse:
    """Apply the rules now, or (the default) count what they would touch."""
    dry = request.POST.get("dry_run", "1") != "0"
    try:
        run = services.retention_run(
            actor=current_user(request), trigger=RetentionRun.Trigger.CONSOLE, dry_run=dry
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(HOME)
    if dry:
        messages.success(
            request,
            _("Dry run: %(count)s records would be touched; nothing was changed.")
            % {"count": run.total},
        )
    else:
        messages.success(request, _("Retention applied: %(count)s records.") % {"count": run.total})
    return redirect(HOME)


@manager_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "csv":
        response = HttpResponse(selectors.incidents_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="registre-incidents.csv"'
        return response
    return render(
        request, "console/privacy/incidents.html", {"incidents": list(selectors.incidents())}
    )


@manager_required
def incident_edit(request: HttpRequest, incident_id: int | None = None) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=incident_id) if incident_id else None
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            fields = services.IncidentFields(**form.cleaned_data)
            actor = current_user(request)
            try:
                if incident is None:
                    incident = services.incident_create(actor=actor, fields=fields)
                else:
                    services.incident_update(actor=actor, incident=incident, fields=fields)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Incident recorded in the register."))
                return redirect("console:privacy_incidents")
    else:
        initial = initial_from(incident, IncidentForm) if incident else {}
        form = IncidentForm(initial=initial)
    return render(request, "console/privacy/incident.html", {"form": form, "incident": incident})
