"""The monthly reports: the whole desk's to managers, an organization's to its administrators
who asked for it; each a PDF, on the first business day of the month, once per person."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from soutien.accounts.models import User
from soutien.notifications import recipients
from soutien.notifications import reports as notify
from soutien.reports import selectors
from soutien.reports.models import MonthlySend, MonthlySummaryChoice
from soutien.reports.periods import Period, desk_zone
from soutien.sla.engine import snapshot


def first_business_moment(month: date) -> datetime:
    """When the standard service hours first open in the month (holidays and closures skipped)."""
    start = datetime.combine(month, time(0), tzinfo=desk_zone())
    snap = snapshot()
    policy = snap.policy_at(start)
    if policy is None:
        return start
    return snap.calendar(policy.calendar_id).next_opening(start) or start


def previous_month(month: date) -> Period:
    last = month - timedelta(days=1)
    return Period(last.replace(day=1), last)


def document(period: Period, *, language: str, organization_id: int | None = None) -> bytes:
    """The month's report as a PDF (WeasyPrint, no network access)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override(language):
        html = render_to_string(
            "reports/monthly.html",
            {
                "period": period,
                "organization": organization_id,
                "LANGUAGE_CODE": language,
                "by_level": selectors.sla_attainment(
                    period, group_by="level", organization_id=organization_id
                ),
                "first_response": selectors.first_response_times(
                    period, organization_id=organization_id
                ),
                "hours": selectors.hours_by_month(period, organization_id=organization_id),
                "satisfaction": selectors.satisfaction(period, organization_id=organization_id),
            },
        )
    pdf = HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _once(month: date, person: User) -> bool:
    """Claim this person's report of the month; False if it was claimed before."""
    try:
        with transaction.atomic():
            MonthlySend.objects.create(month=month, recipient=person)
    except IntegrityError:
        return False
    return True


def send_monthly_reports(*, now: datetime | None = None) -> int:
    """From the first business moment of a month: last month's reports, once per person."""
    now = now or timezone.now()
    month = now.astimezone(desk_zone()).date().replace(day=1)
    if now < first_business_moment(month):
        return 0
    period = previous_month(month)
    sent = 0
    people: list[tuple[User, int | None]] = [(m, None) for m in recipients.managers()]
    for choice in MonthlySummaryChoice.objects.select_related("user"):
        user = choice.user
        if user.is_active and user.is_client_admin and user.organization_id is not None:
            people.append((user, user.organization_id))
    for person, organization_id in people:
        if not person.email:
            continue
        with transaction.atomic():
            if not _once(month, person):
                continue
            pdf = document(period, language=person.language, organization_id=organization_id)
            notify.monthly_report(
                recipient=person, month=period.first, pdf=pdf, whole_desk=organization_id is None
            )
        sent += 1
    return sent
