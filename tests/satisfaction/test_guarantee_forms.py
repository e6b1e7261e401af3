"""Bad input on the guarantee's and the rating's forms is a form error next to its field, and what
was typed is still there: the manager's decision (request page and report), the client's
invocation (request and statement), the rating's "what went wrong"."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.contracts.models import Credit, HourBank
from soutien.satisfaction import services
from soutien.satisfaction.models import Guarantee
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
