"""Bad input on the guarantee's and the rating's forms is a form error next to its field, and what
was typed is still there: the manager's decision (request page and report), the client's
invocation (request and statement), the rating's "what went wrong"."""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from soutien.contracts.models import Credit, HourBank
from soutien.notifications.satisfaction import rating_token
from soutien.satisfaction import services
from soutien.satisfaction.models import Guarantee, Rating
from soutien.ticketing import services as ticketing
from soutien.ticketing.models import Status
from tests import factories
from tests.web.helpers import signed_in

EASTERN = ZoneInfo("America/Toronto")
INVOKED = datetime(2026, 12, 2, 14, 0, tzinfo=EASTERN)


class _Fields(HTMLParser):
    """Each form control's value as shown, and the errors shown in the same field block."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._blocks: list[dict[str, object]] = []  # open <div class="field">, innermost last
        self._depth = 0
        self._textarea: str | None = None
        self._select: str | None = None
        self._in_errors = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "div":
            self._depth += 1
            if "field" in a.get("class", "").split():
                self._blocks.append({"depth": self._depth, "names": [], "errors": ""})
            if "errors" in a.get("class", "").split():
                self._in_errors = self._depth
        name = a.get("name", "")
        if tag in ("input", "textarea", "select") and name:
            if self._blocks:
                self._blocks[-1]["names"].append(name)  # type: ignore[union-attr]
            if tag == "input" and a.get("type") not in ("radio", "checkbox"):
                self.values[name] = a.get("value", "")
            if tag == "input" and a.get("type") == "radio" and "checked" in a:
                self.values[name] = a.get("value", "")
            if tag == "textarea":
                self._textarea, self.values[name] = name, ""
            if tag == "select":
                self._select = name
                self.values.setdefault(name, "")
        if tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            self._select = None
        if tag == "div":
            if self._in_errors == self._depth:
                self._in_errors = 0
            if self._blocks and self._blocks[-1]["depth"] == self._depth:
                block = self._blocks.pop()
                for name in block["names"]:  # type: ignore[attr-defined]
                    self.errors[name] = self.errors.get(name, "") + str(block["errors"])
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data
        if self._in_errors and self._blocks:
            self._blocks[-1]["errors"] = str(self._blocks[-1]["errors"]) + data


def fields_of(html: str, form_id: str | None = None) -> _Fields:
    """The controls of the form with this id (of the whole page without one)."""
    if form_id is not None:
        start = html.index(f'id="{form_id}"')
        html = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    parser = _Fields()
    parser.feed(html)
    return parser


@pytest.fixture
def request_of_org(manager, org, contact):
    factories.spec4_banks(manager, org)
    with time_machine.travel(INVOKED.replace(hour=9), tick=False):
        return factories.ticket(contact=contact, actor=manager)


@pytest.fixture
def invoked(request_of_org, client_admin):
    with time_machine.travel(INVOKED, tick=False):
        return services.guarantee_invoke(
            actor=client_admin, ticket=request_of_org, reason="Trois relances"
        )


def _decide(manager, guarantee, **post):
    with time_machine.travel(INVOKED.replace(hour=16), tick=False):
        return signed_in(manager).post(f"/console/garanties/{guarantee.pk}/decision/", post)


def test_minutes_without_a_bank_keep_the_decision_as_typed_with_the_error_on_the_bank(
    invoked, manager, request_of_org
):
    r = _decide(
        manager,
        invoked,
        decision="grant",
        bank="",
        minutes="45",
        waive="10",
        note="Rendu : 45 min.",
        back="ticket",
    )
    assert r.status_code == 400
    page = fields_of(r.content.decode(), f"decide-{invoked.pk}")
    assert page.values["note"].strip() == "Rendu : 45 min."
    assert page.values["minutes"] == "45"
    assert page.values["waive"] == "10"
    assert page.values["decision"] == "grant"
    assert "Choisissez la banque" in page.errors["bank"] or "Choose the bank" in page.errors["bank"]
    assert page.errors["note"] == ""
    assert page.errors["minutes"] == ""
    # The request's page, not a redirection elsewhere: its timeline is there.
    assert 'id="satisfaction"' in r.content.decode()
    invoked.refresh_from_db()
    assert invoked.state == Guarantee.State.PENDING
    assert not Credit.objects.exists()


def test_a_bad_number_on_the_report_is_an_error_on_the_minutes_and_the_note_is_kept(
    invoked, manager, org
):
    bank = HourBank.objects.filter(organization=org, source="contract").get()
    r = _decide(manager, invoked, decision="grant", bank=str(bank.pk), minutes="4 5", note="Rendu.")
    assert r.status_code == 400
    page = fields_of(r.content.decode(), f"decide-{invoked.pk}")
    assert page.values["note"].strip() == "Rendu."
    assert page.values["minutes"] == "4 5"
    assert page.values["bank"] == str(bank.pk)
    assert "minutes entières" in page.errors["minutes"] or "whole minutes" in page.errors["minutes"]
    assert 'id="guarantees"' in r.content.decode()  # the satisfaction report's section
    invoked.refresh_from_db()
    assert invoked.state == Guarantee.State.PENDING


def test_a_decision_without_a_note_is_an_error_on_the_note_and_then_it_goes_through(
    invoked, manager, org
):
    bank = HourBank.objects.filter(organization=org, source="contract").get()
    r = _decide(
        manager,
        invoked,
        decision="grant",
        bank=str(bank.pk),
        minutes="30",
        note="  ",
        back="ticket",
    )
    assert r.status_code == 400
    page = fields_of(r.content.decode(), f"decide-{invoked.pk}")
    assert page.values["minutes"] == "30"
    assert page.errors["note"]
    invoked.refresh_from_db()
    assert invoked.state == Guarantee.State.PENDING
    r = _decide(
        manager,
        invoked,
        decision="grant",
        bank=str(bank.pk),
        minutes="30",
        note="Rendu.",
        back="ticket",
    )
    assert r.status_code == 302
    invoked.refresh_from_db()
    assert invoked.state == Guarantee.State.GRANTED
    assert invoked.credit is not None
    assert invoked.credit.minutes == 30


def test_a_bank_of_another_organization_is_refused_on_the_bank_field(invoked, manager, other_org):
    factories.spec4_banks(manager, other_org)
    theirs = HourBank.objects.filter(organization=other_org).first()
    assert theirs is not None
    r = _decide(
        manager,
        invoked,
        decision="grant",
        bank=str(theirs.pk),
        minutes="30",
        note="Rendu.",
        back="ticket",
    )
    assert r.status_code == 400
    page = fields_of(r.content.decode(), f"decide-{invoked.pk}")
    assert page.errors["bank"]
    assert page.values["note"].strip() == "Rendu."
    assert not Credit.objects.exists()


@pytest.fixture
def resolved(request_of_org, manager):
    with time_machine.travel(INVOKED.replace(hour=10), tick=False):
        ticketing.ticket_change_status(actor=manager, ticket=request_of_org, status=Status.RESOLVED)
    return request_of_org


def test_the_portal_keeps_the_reason_when_a_guarantee_already_awaits_a_decision(
    request_of_org, client_admin
):
    url = f"/portail/demandes/{request_of_org.pk}/garantie/"
    with time_machine.travel(INVOKED, tick=False):
        client = signed_in(client_admin)
        page = client.get(f"/portail/demandes/{request_of_org.pk}/")  # the form, in one tab
        assert 'name="reason"' in page.content.decode()
        assert client.post(url, {"reason": "Trois relances"}).status_code == 302
        # The same page in a second tab, sent after: refused, the reason still there.
        r = client.post(url, {"reason": "Toujours sans réponse, depuis lundi"})
    assert r.status_code == 400
    fields = fields_of(r.content.decode())
    assert fields.values["reason"].strip() == "Toujours sans réponse, depuis lundi"
    text = r.content.decode()
    assert "attend la décision" in text or "awaits a manager" in text
    assert Guarantee.objects.count() == 1


def test_a_too_long_reason_is_an_error_on_the_field_and_kept(request_of_org, client_admin):
    reason = "Lent. " * 900  # over 5,000 characters
    with time_machine.travel(INVOKED, tick=False):
        r = signed_in(client_admin).post(
            f"/portail/demandes/{request_of_org.pk}/garantie/", {"reason": reason}
        )
    assert r.status_code == 400
    fields = fields_of(r.content.decode())
    assert fields.values["reason"].strip() == reason.strip()
    assert fields.errors["reason"]
    assert not Guarantee.objects.exists()


def test_the_statement_keeps_the_reason_when_the_period_is_not_one(client_admin):
    with time_machine.travel(INVOKED, tick=False):
        client = signed_in(client_admin)
        r = client.post(
            "/portail/releve/garantie/",
            {"du": "2026-11-31", "au": "2026-11-30", "reason": "Heures comptées deux fois"},
        )
        assert r.status_code == 400
        fields = fields_of(r.content.decode())
        assert fields.values["reason"].strip() == "Heures comptées deux fois"
        assert fields.errors["du"]  # next to the period, sent again with the reason
        assert 'action="/portail/releve/garantie/"' in r.content.decode()
        assert not Guarantee.objects.exists()
        # The period chosen on that page, the same reason goes through.
        r = client.post(
            "/portail/releve/garantie/",
            {"du": "2026-11-01", "au": "2026-11-30", "reason": fields.values["reason"]},
        )
    assert r.status_code == 302
    assert Guarantee.objects.get().reason == "Heures comptées deux fois"


def test_a_statement_guarantee_without_a_reason_keeps_the_period(client_admin):
    with time_machine.travel(INVOKED, tick=False):
        r = signed_in(client_admin).post(
            "/portail/releve/garantie/", {"du": "2026-11-01", "au": "2026-11-30", "reason": " "}
        )
    assert r.status_code == 400
    fields = fields_of(r.content.decode(), "guarantee")
    assert fields.values["du"] == "2026-11-01"
    assert fields.values["au"] == "2026-11-30"
    assert fields.errors["reason"]


def test_the_portal_rating_keeps_what_went_wrong_when_no_rating_is_chosen(resolved, contact):
    with time_machine.travel(INVOKED.replace(hour=11), tick=False):
        r = signed_in(contact).post(
            f"/portail/demandes/{resolved.pk}/avis/", {"comment": "Personne n'a rappelé"}
        )
    assert r.status_code == 400
    fields = fields_of(r.content.decode())
    assert fields.values["comment"].strip() == "Personne n'a rappelé"
    html = r.content.decode()
    legend = html.index("<legend>", html.index('class="rating-form"'))
    assert 'role="alert"' in html[legend : html.index("</fieldset>", legend)]
    assert not Rating.objects.exists()


def test_a_rating_sent_after_its_7_days_keeps_the_comment_with_the_error(resolved, contact):
    with time_machine.travel(INVOKED + timedelta(days=8), tick=False):
        r = signed_in(contact).post(
            f"/portail/demandes/{resolved.pk}/avis/",
            {"rating": "bad", "comment": "Personne n'a rappelé"},
        )
    assert r.status_code == 400
    fields = fields_of(r.content.decode())
    assert fields.values["comment"].strip() == "Personne n'a rappelé"
    assert "7 jours" in r.content.decode() or "7 days" in r.content.decode()
    assert not Rating.objects.exists()


def test_the_email_link_page_keeps_what_went_wrong_when_no_rating_is_chosen(resolved):
    with time_machine.travel(INVOKED.replace(hour=11), tick=False):
        url = f"/avis/{rating_token(resolved.pk)}/"
        r = Client().post(url, {"comment": "Personne n'a rappelé"})
    assert r.status_code == 400
    assert fields_of(r.content.decode()).values["comment"].strip() == "Personne n'a rappelé"
    assert not Rating.objects.exists()
