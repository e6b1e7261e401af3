"""Done-when 4 (guarantee): a client administrator invokes it on a request, a manager is told and
decides within a level-2 response time, a credit appears on the statement; all in the history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.contracts.models import HourBank
from soutien.contracts.statements import render_csv, statement_for
from soutien.core.errors import Conflict
from soutien.core.scheduling import periodic_jobs
from soutien.notifications.models import Notification
from soutien.outbound import rendering
from soutien.outbound.models import OutboundEmail
from soutien.satisfaction import services
from soutien.satisfaction.models import Guarantee
from soutien.ticketing.models import Event
from tests import factories
from tests.web.helpers import signed_in, text_of

EASTERN = ZoneInfo("America/Toronto")
# SPEC 3: a level-2 request received Wednesday 14:00 is due Thursday 10:00.
INVOKED = datetime(2026, 12, 2, 14, 0, tzinfo=EASTERN)


@pytest.fixture
def request_of_org(manager, org, contact):
    factories.spec4_banks(manager, org)
    with time_machine.travel(INVOKED.replace(hour=9), tick=False):
        return factories.ticket(contact=contact, actor=manager)


def test_a_client_admin_invokes_it_and_the_managers_must_decide_by_a_level_2_time(
    request_of_org, client_admin, manager, api_as
):
    with time_machine.travel(INVOKED, tick=False):
        r = api_as(client_admin).post(
            f"tickets/{request_of_org.pk}/guarantee", {"reason": "Trois relances sans réponse."}
        )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "pending"
    assert datetime.fromisoformat(body["decide_by"]) == datetime(2026, 12, 3, 10, 0, tzinfo=EASTERN)
    notice = Notification.objects.get(kind="guarantee_invoked")
    assert notice.recipient == manager
    assert notice.data["reason"] == "Trois relances sans réponse."
    assert Event.objects.filter(ticket=request_of_org, data__field="guarantee").count() == 1


def test_only_a_client_admin_of_the_organization_invokes_it(
    request_of_org, contact, other_org, api_as
):
    r = api_as(contact).post(f"tickets/{request_of_org.pk}/guarantee", {"reason": "Lent"})
    assert r.status_code == 403
    stranger = factories.client_admin(other_org)
    r = api_as(stranger).post(f"tickets/{request_of_org.pk}/guarantee", {"reason": "Lent"})
    assert r.status_code == 404
    assert api_as(contact).post(f"tickets/{request_of_org.pk}/guarantee", {}).status_code == 422
    assert not Guarantee.objects.exists()


def test_a_granted_credit_goes_back_to_the_bank_and_shows_on_the_statement(
    request_of_org, client_admin, manager, org
):
    with time_machine.travel(INVOKED, tick=False):
        guarantee = services.guarantee_invoke(
            actor=client_admin, ticket=request_of_org, reason="Trop long"
        )
    bank = HourBank.objects.filter(organization=org, source="contract").get()
    before = bank.total_minutes
    with time_machine.travel(INVOKED.replace(hour=16), tick=False):
        r = signed_in(manager).post(
            f"/console/garanties/{guarantee.pk}/decision/",
            {
                "decision": "grant",
                "bank": bank.pk,
                "minutes": "60",
                "waive": "30",
                "note": "Crédit de garantie : une heure rendue, 30 min de dépassement annulées.",
            },
        )
        assert r.status_code == 302
        again = services.guarantee_decide  # a second decision is refused
        with pytest.raises(Conflict):
            again(actor=manager, guarantee=guarantee, grant=False, note="Non")
    guarantee.refresh_from_db()
    assert guarantee.state == "granted"
    bank.refresh_from_db()
    assert bank.total_minutes == before + 60
    statement = statement_for(
        organization=org, first_day=date(2026, 12, 1), last_day=date(2026, 12, 31)
    )
    assert [(c.minutes, c.waived_overage_minutes) for c in statement.credits] == [(60, 30)]
    assert "Crédit de garantie" in render_csv(statement, "fr").decode()
    with time_machine.travel(INVOKED.replace(hour=17), tick=False):
        page = signed_in(client_admin).get("/portail/releve/?du=2026-12-01&au=2026-12-31")
    assert "Crédit de garantie" in text_of(page)
    history = Event.objects.filter(ticket=request_of_org, data__field="guarantee")
    assert [e.data["to"] for e in history] == ["invoked", "granted"]


def test_a_technician_cannot_decide(request_of_org, client_admin, tech1):
    with time_machine.travel(INVOKED, tick=False):
        guarantee = services.guarantee_invoke(
            actor=client_admin, ticket=request_of_org, reason="Trop long"
        )
        signed_in(tech1).post(
            f"/console/garanties/{guarantee.pk}/decision/", {"decision": "grant", "note": "x"}
        )
    guarantee.refresh_from_db()
    assert guarantee.state == "pending"


def test_the_portal_button_invokes_it_and_the_report_counts_it(
    request_of_org, client_admin, manager, api_as
):
    with time_machine.travel(INVOKED, tick=False):
        page = signed_in(client_admin).get(f"/portail/demandes/{request_of_org.pk}/")
        assert 'id="guarantee"' in page.content.decode()
        r = signed_in(client_admin).post(
            f"/portail/demandes/{request_of_org.pk}/garantie/", {"reason": "Rien ne marche"}
        )
        assert r.status_code == 302
        report = api_as(manager).get("reports/satisfaction?from=2026-12-01&to=2026-12-31").json()
        console = signed_in(manager).get("/console/rapports/satisfaction/")
    assert report["guarantees"] == {"invoked": 1, "pending": 1, "granted": 0, "refused": 0}
    assert "Rien ne marche" in text_of(console)


def test_a_client_admin_invokes_it_on_a_statement(org, client_admin, manager):
    factories.spec4_banks(manager, org)
    with time_machine.travel(INVOKED, tick=False):
        client = signed_in(client_admin)
        page = client.get("/portail/releve/?du=2026-11-01&au=2026-11-30")
        assert 'id="guarantee"' in page.content.decode()
        r = client.post(
            "/portail/releve/garantie/",
            {"du": "2026-11-01", "au": "2026-11-30", "reason": "Heures facturées en double"},
        )
    assert r.status_code == 302
    guarantee = Guarantee.objects.get()
    assert (guarantee.ticket, guarantee.first_day, guarantee.last_day) == (
        None,
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert Notification.objects.filter(kind="guarantee_invoked", recipient=manager).exists()


def _decide_on(guarantee, manager, **post):
    with time_machine.travel(INVOKED.replace(hour=16), tick=False):
        return signed_in(manager).post(f"/console/garanties/{guarantee.pk}/decision/", post)


def test_the_client_is_told_the_decision_with_its_note_and_credit_in_its_language(
    request_of_org, client_admin, contact, manager, org
):
    client_admin.language = "en"
    client_admin.save(update_fields=["language"])
    with time_machine.travel(INVOKED, tick=False):
        guarantee = services.guarantee_invoke(
            actor=client_admin, ticket=request_of_org, reason="Three reminders, no answer."
        )
    bank = HourBank.objects.filter(organization=org, source="contract").get()
    r = _decide_on(
        guarantee,
        manager,
        decision="grant",
        bank=bank.pk,
        minutes="90",
        waive="0",
        note="Une heure et demie rendue : nos excuses.",
    )
    assert r.status_code == 302
    # The invoker and the request's contact: a notice each, and an email each, in their language.
    notices = Notification.objects.filter(kind="guarantee_decided")
    assert {n.recipient for n in notices} == {client_admin, contact}
    assert Notification.objects.filter(kind="guarantee_decided", recipient=manager).count() == 0
    emails = {e.recipient: e for e in OutboundEmail.objects.filter(template="guarantee_decided")}
    assert set(emails) == {client_admin, contact}
    for row in emails.values():
        rendering.render(row)
    english, french = emails[client_admin], emails[contact]
    assert "Satisfaction guarantee granted" in english.subject
    assert "Une heure et demie rendue" in english.text
    assert "Credited back to" in english.text
    assert "1 h 30" in english.text
    # The administrator is pointed to the statement that shows the credit (its month).
    assert "/portail/releve/?du=2026-12-01&au=2026-12-31" in english.text
    assert "Garantie de satisfaction accordée" in french.subject
    assert "Rendu à" in french.text
    assert "relevé" in french.text
    assert "/portail/releve/" not in french.text  # a contact has no statement page
    # The client reads the decision in the request's history and on the request's page.
    with time_machine.travel(INVOKED.replace(hour=17), tick=False):
        listing = signed_in(contact).get("/portail/")
        assert "Une heure et demie rendue" in text_of(listing)
        page = signed_in(contact).get(f"/portail/demandes/{request_of_org.pk}/")
        after = signed_in(contact).get("/portail/")
    text = text_of(page)
    assert "granted the satisfaction guarantee" in text or "accordé la garantie" in text
    assert text.count("Une heure et demie rendue") >= 2  # the history and the guarantee card
    assert "1 h 30" in text
    # Read on the request's page: no longer on the listing.
    assert "Une heure et demie rendue" not in text_of(after)


def test_a_refusal_is_told_too_and_a_statement_guarantee_points_to_the_statement(
    org, client_admin, manager
):
    factories.spec4_banks(manager, org)
    with time_machine.travel(INVOKED, tick=False):
        guarantee = services.guarantee_invoke(
            actor=client_admin,
            organization=org,
            first_day=date(2026, 11, 1),
            last_day=date(2026, 11, 30),
            reason="Heures facturées en double",
        )
    r = _decide_on(guarantee, manager, decision="refuse", note="Vérifié : rien en double.")
    assert r.status_code == 302
    row = OutboundEmail.objects.get(template="guarantee_decided")
    assert row.recipient == client_admin
    assert row.ticket_id is None
    rendering.render(row)
    assert "refusée" in row.subject
    assert "Vérifié : rien en double." in row.text
    assert "Rendu à" not in row.text
    with time_machine.travel(INVOKED.replace(hour=17), tick=False):
        page = signed_in(client_admin).get("/portail/releve/?du=2026-11-01&au=2026-11-30")
    assert "Vérifié : rien en double." in text_of(page)
    assert Notification.objects.get(kind="guarantee_decided").read_at is not None


def test_an_empty_reason_is_a_form_error_and_a_contact_is_refused(
    request_of_org, client_admin, contact
):
    with time_machine.travel(INVOKED, tick=False):
        r = signed_in(client_admin).post(
            f"/portail/demandes/{request_of_org.pk}/garantie/", {"reason": "  "}
        )
        assert r.status_code == 400
        assert "Say what went wrong" in text_of(r) or "Dites ce qui" in text_of(r)
        r = signed_in(client_admin).post(
            "/portail/releve/garantie/", {"du": "2026-11-01", "au": "2026-11-30", "reason": ""}
        )
        assert r.status_code == 400
        assert 'id="guarantee"' in r.content.decode()
        r = signed_in(contact).post(
            f"/portail/demandes/{request_of_org.pk}/garantie/", {"reason": "Lent"}
        )
        assert r.status_code == 403
        r = signed_in(contact).post(
            "/portail/releve/garantie/", {"du": "2026-11-01", "au": "2026-11-30", "reason": "x"}
        )
        assert r.status_code in (403, 404)
    assert not Guarantee.objects.exists()


def test_a_manager_decides_on_the_requests_page_where_the_notice_leads(
    request_of_org, client_admin, manager, org
):
    with time_machine.travel(INVOKED, tick=False):
        services.guarantee_invoke(actor=client_admin, ticket=request_of_org, reason="Trop long")
        notices = text_of(signed_in(manager).get("/console/notifications/"))
        assert "Trop long" in notices
        page = signed_in(manager).get(f"/console/demandes/{request_of_org.pk}/")
    html = page.content.decode()
    assert 'id="satisfaction"' in html
    guarantee = Guarantee.objects.get()
    assert f'action="/console/garanties/{guarantee.pk}/decision/"' in html
    bank = HourBank.objects.filter(organization=org, source="contract").get()
    assert f'<option value="{bank.pk}">' in html
    # Past its level-2 due time (Thursday 10:00), the page says the decision is overdue.
    with time_machine.travel(datetime(2026, 12, 3, 11, 0, tzinfo=EASTERN), tick=False):
        late = signed_in(manager).get(f"/console/demandes/{request_of_org.pk}/")
        assert 'class="clock-late"' in late.content.decode()
        r = signed_in(manager).post(
            f"/console/garanties/{guarantee.pk}/decision/",
            {"decision": "refuse", "note": "Délai respecté.", "back": "ticket"},
        )
    assert r.status_code == 302
    assert r["Location"] == f"/console/demandes/{request_of_org.pk}/#satisfaction"
    guarantee.refresh_from_db()
    assert guarantee.state == "refused"


def test_the_satisfaction_report_lists_each_guarantee_with_its_decision_and_csv(
    request_of_org, client_admin, manager, org
):
    with time_machine.travel(INVOKED, tick=False):
        guarantee = services.guarantee_invoke(
            actor=client_admin, ticket=request_of_org, reason="=HYPERLINK(trop long)"
        )
    bank = HourBank.objects.filter(organization=org, source="contract").get()
    _decide_on(
        guarantee, manager, decision="grant", bank=bank.pk, minutes="45", note="Rendu : 45 min."
    )
    with time_machine.travel(INVOKED.replace(hour=17), tick=False):
        client = signed_in(manager)
        page = client.get("/console/rapports/satisfaction/?from=2026-12-01&to=2026-12-31")
        csv = client.get(
            "/console/rapports/satisfaction/guarantees-invoked.csv?from=2026-12-01&to=2026-12-31"
        )
    text = text_of(page)
    assert "Rendu : 45 min." in text
    assert f'href="/console/demandes/{request_of_org.pk}/"' in page.content.decode()
    body = csv.content.decode()
    assert csv.status_code == 200
    assert "Rendu : 45 min." in body
    assert ",45," in body
    assert "'=HYPERLINK(trop long)" in body  # a formula is neutralized


def test_an_undecided_guarantee_past_its_due_time_alerts_the_managers_once(
    request_of_org, client_admin, manager
):
    with time_machine.travel(INVOKED, tick=False):
        guarantee = services.guarantee_invoke(
            actor=client_admin, ticket=request_of_org, reason="Trop long"
        )
    due = datetime(2026, 12, 3, 10, 0, tzinfo=EASTERN)
    with time_machine.travel(due - timedelta(minutes=1), tick=False):
        assert services.alert_overdue_guarantees() == 0
    with time_machine.travel(due + timedelta(minutes=5), tick=False):
        assert services.alert_overdue_guarantees() == 1
        assert services.alert_overdue_guarantees() == 0  # once
        notices = text_of(signed_in(manager).get("/console/notifications/"))
    notice = Notification.objects.get(kind="guarantee_overdue")
    assert notice.recipient == manager
    assert notice.ticket == request_of_org
    assert "décision en retard" in notices.lower() or "decision overdue" in notices.lower()
    assert guarantee.pk == notice.data["guarantee"]
    # A decided one is never late.
    other = factories.ticket(contact=request_of_org.contact, actor=manager)
    with time_machine.travel(INVOKED, tick=False):
        decided = services.guarantee_invoke(actor=client_admin, ticket=other, reason="Lent")
        services.guarantee_decide(actor=manager, guarantee=decided, grant=False, note="Non")
    with time_machine.travel(due + timedelta(days=1), tick=False):
        assert services.alert_overdue_guarantees() == 0


def test_the_overdue_check_is_a_periodic_job():
    assert "soutien.satisfaction.tasks.alert_overdue_guarantees" in {
        job.name for job in periodic_jobs()
    }


def test_one_guarantee_at_a_time_awaits_a_decision_on_a_request_or_a_statement(
    request_of_org, client_admin, manager, api_as
):
    with time_machine.travel(INVOKED, tick=False):
        first = api_as(client_admin).post(
            f"tickets/{request_of_org.pk}/guarantee", {"reason": "Trop long"}
        )
        again = api_as(client_admin).post(
            f"tickets/{request_of_org.pk}/guarantee", {"reason": "Toujours trop long"}
        )
        client = signed_in(client_admin)
        period = {"du": "2026-11-01", "au": "2026-11-30"}
        client.post("/portail/releve/garantie/", {**period, "reason": "En double"})
        twice = client.post("/portail/releve/garantie/", {**period, "reason": "En double"})
    assert first.status_code == 201
    assert again.status_code == 409
    assert "detail" in again.json()
    assert twice.status_code == 400
    assert "attend la décision" in text_of(twice) or "awaits a manager" in text_of(twice)
    assert Guarantee.objects.count() == 2
    # Once decided, the client may invoke it again.
    guarantee = Guarantee.objects.get(ticket=request_of_org)
    services.guarantee_decide(actor=manager, guarantee=guarantee, grant=False, note="Non")
    with time_machine.travel(INVOKED.replace(hour=15), tick=False):
        r = api_as(client_admin).post(
            f"tickets/{request_of_org.pk}/guarantee", {"reason": "Toujours trop long"}
        )
    assert r.status_code == 201
