"""Law 25: a person's record and its access log, exports, the incident register, retention."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.accounts.models import User
from soutien.api.v1.common import Id, LocalDateTime, LongText, caller, no_nul
from soutien.core.errors import NotAllowed
from soutien.privacy import selectors, services
from soutien.privacy.models import AccessEntry, Export, Incident, RetentionRun

router = Router(tags=["privacy"])
people_router = Router(tags=["privacy"])

Text = Annotated[str, Field(max_length=20_000), AfterValidator(no_nul)]
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]


def _managers_only(actor: User) -> None:
    if not actor.is_manager:
        raise NotAllowed(_("Only a support manager or an administrator can do this."))


# --- A person's record ----------------------------------------------------------------------


class PersonRecordOut(Schema):
    id: int
    username: str
    name: str
    email: str
    phone: str
    language: str
    time_zone: str
    organization: int | None
    client_role: str
    staff_roles: list[str]
    is_active: bool
    date_joined: LocalDateTime
    last_login: LocalDateTime | None

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name

    @staticmethod
    def resolve_organization(obj: User) -> int | None:
        return obj.organization_id


class AccessOut(Schema):
    at: LocalDateTime
    viewer: int | None
    viewer_name: str
    where: str

    @staticmethod
    def resolve_viewer(obj: AccessEntry) -> int | None:
        return obj.viewer_id


def _person(request: HttpRequest, user_id: int) -> User:
    person = selectors.person_visible(caller(request), user_id)
    if person is None:
        raise Http404
    return person


@people_router.get("/{user_id}", response=PersonRecordOut, summary="A person's record")
def get_person(request: HttpRequest, user_id: Id) -> User:
    """Opening someone else's record is noted in their access log (Law 25)."""
    person = _person(request, user_id)
    services.access_record(viewer=caller(request), person=person, where=AccessEntry.Where.API)
    return person


@people_router.get(
    "/{user_id}/access-log", response=list[AccessOut], summary="Who opened a person's record"
)
def access_log(request: HttpRequest, user_id: Id) -> list[AccessEntry]:
    actor = caller(request)
    person = _person(request, user_id)
    _managers_only(actor)
    return selectors.access_log_of(person, limit=500)


# --- Exports --------------------------------------------------------------------------------


class ExportIn(Schema):
    user: Id


class ExportOut(Schema):
    id: int
    user: int
    requested_by: int | None
    requested_at: LocalDateTime
    ready_at: LocalDateTime | None
    delivered_at: LocalDateTime | None
    downloads: int
    size: int
    file_name: str
    file_removed_at: LocalDateTime | None
    download_url: str | None

    @staticmethod
    def resolve_user(obj: Export) -> int:
        return obj.person_id

    @staticmethod
    def resolve_requested_by(obj: Export) -> int | None:
        return obj.requested_by_id

    @staticmethod
    def resolve_file_removed_at(obj: Export) -> Any:
        return obj.purged_at

    @staticmethod
    def resolve_download_url(obj: Export) -> str | None:
        if obj.ready_at is None or obj.purged_at is not None:
            return None
        return f"/api/v1/privacy/exports/{obj.pk}/download"


@router.post(
    "/exports", response={201: ExportOut}, summary="Export a person's personal information"
)
def create_export(request: HttpRequest, payload: ExportIn) -> Status[Export]:
    """A ZIP of JSON and CSV; the request, who made it and when are kept, then its delivery."""
    actor = caller(request)
    person = services.person_for(actor, payload.user)
    return Status(201, services.export_request(actor=actor, person=person))


@router.get("/exports", response=list[ExportOut], summary="Exports of a person")
def list_exports(request: HttpRequest, user: Id) -> list[Export]:
    actor = caller(request)
    person = services.person_for(actor, user)
    return list(selectors.exports_of(person)[:100])


@router.get("/exports/{export_id}", response=ExportOut, summary="An export")
def get_export(request: HttpRequest, export_id: Id) -> Export:
    return services.export_for(caller(request), export_id)


@router.get(
    "/exports/{export_id}/download",
    response={200: None},
    summary="Download an export (its first download is its delivery)",
    openapi_extra={
        "responses": {
            200: {
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
            }
        }
    },
)
def download_export(request: HttpRequest, export_id: Id) -> HttpResponse:
    actor = caller(request)
    export = services.export_download(actor=actor, export=services.export_for(actor, export_id))
    data = bytes(Export.objects.values_list("data", flat=True).get(pk=export.pk))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Incidents ------------------------------------------------------------------------------

Risk = Literal["pending", "low", "serious"]


class IncidentIn(Schema):
    occurred_on: Day
    discovered_on: Day
    nature: Annotated[Text, Field(min_length=1)]
    information: Annotated[Text, Field(min_length=1)]
    people: Annotated[Text, Field(min_length=1)]
    people_count: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    risk: Risk = "pending"
    risk_assessment: LongText = ""
    commission_notified_on: Day | None = None
    people_notified_on: Day | None = None
    measures: LongText = ""


class IncidentOut(Schema):
    id: int
    occurred_on: date
    discovered_on: date
    nature: str
    information: str
    people: str
    people_count: int | None
    risk: str
    risk_assessment: str
    commission_notified_on: date | None
    people_notified_on: date | None
    measures: str
    recorded_at: LocalDateTime
    recorded_by: int | None
    updated_at: LocalDateTime
    kept_until: date

    @staticmethod
    def resolve_recorded_by(obj: Incident) -> int | None:
        return obj.recorded_by_id

    @staticmethod
    def resolve_kept_until(obj: Incident) -> date:
        return obj.kept_until


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    _managers_only(caller(request))
    incident = selectors.incidents().filter(pk=incident_id).first()
    if incident is None:
        raise Http404
    return incident


@router.get("/incidents", response=list[IncidentOut], summary="The register of incidents")
def list_incidents(request: HttpRequest) -> list[Incident]:
    _managers_only(caller(request))
    return list(selectors.incidents())


@router.post("/incidents", response={201: IncidentOut}, summary="Record an incident")
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status[Incident]:
    fields = services.IncidentFields(**payload.dict())
    return Status(201, services.incident_create(actor=caller(request), fields=fields))


@router.get("/incidents.csv", response={200: None}, summary="The register as CSV")
def incidents_csv(request: HttpRequest) -> HttpResponse:
    _managers_only(caller(request))
    response = HttpResponse(selectors.incidents_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registre-incidents.csv"'
    return response


@router.get("/incidents/{incident_id}", response=IncidentOut, summary="An incident")
def get_incident(request: HttpRequest, incident_id: Id) -> Incident:
    return _incident(request, incident_id)


@router.put("/incidents/{incident_id}", response=IncidentOut, summary="Update an incident")
def update_incident(request: HttpRequest, incident_id: Id, payload: IncidentIn) -> Incident:
    incident = _incident(request, incident_id)
    fields = services.IncidentFields(**payload.dict())
    return services.incident_update(actor=caller(request), incident=incident, fields=fields)


# --- Retention ------------------------------------------------------------------------------


class RuleOut(Schema):
    kind: str
    label: str
    description: str
    actions: list[str]
    minimum_days: int
    days: int | None
    action: str | None


class RuleIn(Schema):
    # null: keep this kind of record for good (no rule).
    days: Annotated[int, Field(ge=1, le=100 * 366)] | None
    action: Literal["delete", "anonymize"] | None = None


class RunIn(Schema):
    dry_run: bool = True


class RunOut(Schema):
    id: int
    dry_run: bool
    trigger: str
    started_at: LocalDateTime
    finished_at: LocalDateTime | None
    counts: dict[str, dict[str, Any]]
    total: int
    error: str


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "kind": k.purger.kind,
            "label": str(k.purger.label),
            "description": str(k.purger.description),
            "actions": list(k.purger.actions),
            "minimum_days": k.purger.minimum_days,
            "days": k.rule.days if k.rule else None,
            "action": k.rule.action if k.rule else None,
        }
        for k in selectors.kinds_with_rules()
    ]


@router.get("/retention/rules", response=list[RuleOut], summary="Retention rules per kind")
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    _managers_only(caller(request))
    return _rules()


@router.put("/retention/rules/{kind}", response=RuleOut, summary="Set a kind's retention")
def set_rule(
    request: HttpRequest, kind: Annotated[str, Field(max_length=40)], payload: RuleIn
) -> dict[str, Any]:
    services.rule_set(
        actor=caller(request), kind=kind, days=payload.days, action=payload.action or ""
    )
    return next(r for r in _rules() if r["kind"] == kind)


@router.post("/retention/runs", response={201: RunOut}, summary="Run retention (or a dry run)")
def create_run(request: HttpRequest, payload: RunIn) -> Status[RetentionRun]:
    run = services.retention_run(
        actor=caller(request), trigger=RetentionRun.Trigger.API, dry_run=payload.dry_run
    )
    return Status(201, run)


@router.get("/retention/runs", response=list[RunOut], summary="Past retention runs")
def list_runs(request: HttpRequest) -> list[RetentionRun]:
    _managers_only(caller(request))
    return selectors.runs(limit=50)
