"""Newsletter jobs that run on their own: start scheduled issues, resume stalled sending,
extend implied consent whose relationship was renewed, forget who got old issues."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from soutien.core.scheduling import every
from soutien.newsletter import issues, sending, services, tasks
from soutien.newsletter.models import Issue


@every(minutes=1)
@task()
def start_scheduled_issues() -> list[int]:
    return issues.start_due()


@every(minutes=1)
@task()
def resume_sending() -> list[int]:
    """Issues being sent that nobody has moved for a while (their senders died): send on."""
    quiet = timezone.now() - sending.claim_timeout()
    stalled = list(
        Issue.objects.filter(status=Issue.Status.SENDING)
        .filter(Q(active_at__isnull=True) | Q(active_at__lt=quiet))
        .values_list("pk", flat=True)
    )
    for pk in stalled:
        Issue.objects.filter(pk=pk).update(active_at=timezone.now())
        tasks.send_later(pk, senders=1)
    return stalled


@every(minutes=60)
@task()
def renew_implied_consent() -> int:
    return services.implied_renew()


@every(minutes=60 * 24)
@task()
def forget_old_deliveries() -> int:
    return issues.forget_deliveries()
