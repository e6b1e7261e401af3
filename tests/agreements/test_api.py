"""The agreements API: every transition, allowed and refused, for each kind of person.

Refused: 404 for whoever may not see the agreement (another organization always, the client
before it is sent), 403 for the wrong hands, 409 from the wrong state with the state and what
is allowed from it. Allowed: 200 and the state it leads to.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from soutien.accounts.models import User
from soutien.agreements.models import TRANSITIONS, Agreement, Milestone
from soutien.ticketing.models import Ticket
from soutien.ticketing.services import ticket_set_level
from tests import factories
from tests.agreements.fixtures import CONTENT, DELIVERY, draft, walk

ROLES = ("technician", "lead", "manager", "client_admin", "contact", "other_org")
ACTIONS = (
    "propose", "approve", "reject", "send", "accept", "decline",
    "start", "deliver", "confirm", "dispute", "cancel",
)  # fmt: skip
MAY = {
    "technician": {"propose", "send", "start", "deliver", "cancel"},
    "lead": {"propose", "approve", "reject", "send", "start", "deliver", "cancel"},
    "manager": {"cancel"},
    "client_admin": {"accept", "decline", "confirm", "dispute"},
    "contact": set(),
    "other_org": set(),
}
# How each state is reached from a draft: (role, action) steps.
PATHS: dict[str, list[tuple[str, str]]] = {
    "draft": [],
    "proposed": [("technician", "propose")],
    "approved": [("technician", "propose"), ("lead", "approve")],
    "sent": [("technician", "propose"), ("lead", "approve"), ("technician", "send")],
}
PATHS["accepted"] = [*PATHS["sent"], ("client_admin", "accept")]
PATHS["in_production"] = [*PATHS["accepted"], ("technician", "start")]
PATHS["delivered"] = [*PATHS["in_production"], ("technician", "deliver")]
PATHS["confirmed"] = [*PATHS["delivered"], ("client_admin", "confirm")]
PATHS["cancelled"] = [("technician", "cancel")]
NEVER_SENT = {"draft", "proposed", "approved", "cancelled"}


@pytest.fixture
def people(tech3, lead, manager, client_admin, contact, other_org) -> dict[str, User]:
    return {
        "technician": tech3,
        "lead": lead,
        "manager": manager,
        "client_admin": client_admin,
        "contact": contact,
        "other_org": factories.client_admin(other_org, name="Sarah Miller"),
    }


def _expected(state: str, action: str, role: str) -> int:
    if role == "other_org" or (role in ("client_admin", "contact") and state in NEVER_SENT):
        return 404
    if action not in MAY[role]:
        return 403
    if action not in TRANSITIONS[state]:
        return 409
    return 200


def _in_state(state: str, ticket: Ticket, people: dict[str, User]) -> Agreement:
    return walk(draft(ticket, people["technician"]), *[(people[r], a) for r, a in PATHS[state]])


def _body(agreement: Agreement, action: str) -> dict[str, Any]:
    return {"action": action, "version": agreement.version, "reason": "Parce que."}


@pytest.mark.parametrize("state", list(PATHS))
def test_refused_transitions_leave_the_agreement_as_it_was(state, level3, people, api_as):
    agreement = _in_state(state, level3, people)
    assert agreement.state == state
    wrong = []
    for role in ROLES:
        api = api_as(people[role])
        for action in ACTIONS:
            expected = _expected(state, action, role)
            if expected == 200:
                continue
            r = api.post(f"agreements/{agreement.pk}/transitions", _body(agreement, action))
            body = r.json()
            if r.status_code != expected or not body.get("detail"):
                wrong.append((role, action, r.status_code, expected))
            elif expected == 409 and (
                body["state"] != state or body["allowed"] != list(TRANSITIONS[state])
            ):
                wrong.append((role, action, "409 without the state and what is allowed", body))
    assert wrong == []
    after = Agreement.objects.get(pk=agreement.pk)
    assert (after.state, after.version) == (state, agreement.version)


ALLOWED = [
    (state, action, role)
    for state in PATHS
    for action in ACTIONS
    for role in ROLES
    if _expected(state, action, role) == 200
]


@pytest.mark.parametrize(("state", "action", "role"), ALLOWED)
def test_allowed_transitions_move_the_agreement(state, action, role, level3, people, api_as):
    agreement = _in_state(state, level3, people)
    r = api_as(people[role]).post(
        f"agreements/{agreement.pk}/transitions", _body(agreement, action)
    )
    assert r.status_code == 200, r.content
    expected = TRANSITIONS[state][action]
    assert r.json()["state"] == expected
    assert Agreement.objects.get(pk=agreement.pk).state == expected


def test_every_state_and_action_is_walked():
    walked = {(state, action) for state, action, _ in ALLOWED}
    assert walked == {(s, a) for s, moves in TRANSITIONS.items() for a in moves}


def test_create_gives_the_first_version_as_a_draft(level3, tech3, api_as):
    r = api_as(tech3).post(f"tickets/{level3.pk}/agreements", CONTENT)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["version"], body["state"], body["payment"]) == (1, "draft", "banks")
    assert body["delivery_on"] == DELIVERY.isoformat()
    assert [m["title"] for m in body["milestones"]] == [
        "Analyse du module de synchronisation",
        "Correctif en préproduction",
    ]
    assert "<strong>synchronisation</strong>" in body["solution_html"]
    assert body["allowed_actions"] == ["propose", "cancel"]
    assert [v["number"] for v in body["versions"]] == [1]


def test_only_a_level_3_request_carries_an_agreement(contact, manager, tech3, api_as):
    ticket = factories.ticket(contact=contact)
    ticket_set_level(actor=manager, ticket=ticket, level=2)
    r = api_as(tech3).post(f"tickets/{ticket.pk}/agreements", CONTENT)
    assert r.status_code == 409
    assert "level-3" in r.json()["detail"] or "niveau 3" in r.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"estimate_minutes": -60}, "estimate_minutes"),
        ({"delivery_on": "2026-11-30"}, "delivery_on"),
        ({"milestones": [{"title": "Après", "due_on": "2027-02-01"}]}, "milestones"),
        ({"payment": "quoted"}, "quoted_minutes"),
        ({"payment": "quoted", "quoted_amount": "-5"}, "quoted_amount"),
    ],
)
def test_bad_content_is_422_with_the_field(change, field, level3, tech3, api_as):
    r = api_as(tech3).post(f"tickets/{level3.pk}/agreements", {**CONTENT, **change})
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert not Agreement.objects.exists()


def test_who_may_write_an_agreement(level3, people, api_as, tech1):
    expected = {
        "manager": 403, "client_admin": 403, "contact": 403, "other_org": 404,
    }  # fmt: skip
    for role, status in expected.items():
        r = api_as(people[role]).post(f"tickets/{level3.pk}/agreements", CONTENT)
        assert r.status_code == status, (role, r.content)
    assert api_as(tech1).post(f"tickets/{level3.pk}/agreements", CONTENT).status_code == 403
    assert (
        api_as(people["lead"]).post(f"tickets/{level3.pk}/agreements", CONTENT).status_code == 201
    )


def test_a_change_of_content_is_a_new_version(level3, tech3, lead, api_as):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"))
    r = api_as(tech3).patch(f"agreements/{agreement.pk}", {"estimate_minutes": 1500})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["version"], body["state"]) == (2, "draft")
    assert [v["estimate_minutes"] for v in body["versions"]] == [1200, 1500]
    assert api_as(lead).patch(f"agreements/{agreement.pk}", {"solution": None}).status_code == 422


def test_patch_keeps_the_milestones_named_by_id(agreed, tech3, api_as):
    kept = Milestone.objects.filter(agreement=agreed).order_by("due_on").first()
    api = api_as(tech3)
    assert api.post(f"agreements/{agreed.pk}/milestones/{kept.pk}/done").status_code == 200
    r = api.patch(
        f"agreements/{agreed.pk}",
        {"milestones": [{"id": kept.pk, "title": kept.title, "due_on": "2026-12-18"}]},
    )
    assert r.status_code == 200, r.content
    [milestone] = r.json()["milestones"]
    assert milestone["id"] == kept.pk
    assert milestone["done_at"] is not None
    assert Milestone.objects.filter(agreement=agreed).count() == 1


def test_accepting_a_stale_version_names_the_current_one(level3, tech3, lead, client_admin, api_as):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    api_as(tech3).patch(f"agreements/{agreement.pk}", {"estimate_minutes": 1300})
    r = api_as(client_admin).post(
        f"agreements/{agreement.pk}/transitions", {"action": "accept", "version": 1}
    )
    assert r.status_code == 409
    assert r.json()["current_version"] == 2
    assert "2" in r.json()["detail"]


def test_a_colleague_of_the_same_organization_is_refused_not_ignored(
    level3, tech3, lead, client_admin, org, api_as
):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    colleague = factories.contact(org, name="Paul Collègue")  # did not file the request
    r = api_as(colleague).post(
        f"agreements/{agreement.pk}/transitions", {"action": "accept", "version": 1}
    )
    assert r.status_code == 403
    assert api_as(colleague).get(f"agreements/{agreement.pk}").status_code == 404


def test_accept_without_a_version_is_422(level3, tech3, lead, client_admin, api_as):
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    r = api_as(client_admin).post(f"agreements/{agreement.pk}/transitions", {"action": "accept"})
    assert r.status_code == 422
    assert r.json()["field"] == "version"


def test_the_client_reads_only_what_it_was_sent(agreed, tech3, client_admin, api_as):
    api_as(tech3).patch(f"agreements/{agreed.pk}", {"solution": "Brouillon interne."})
    client = api_as(client_admin).get(f"agreements/{agreed.pk}").json()
    assert client["version"] == 1
    assert client["current_version"] == 2
    assert "Brouillon" not in client["solution"]
    assert [v["number"] for v in client["versions"]] == [1]
    staff = api_as(tech3).get(f"agreements/{agreed.pk}").json()
    assert staff["version"] == 2
    assert staff["solution"] == "Brouillon interne."
    assert api_as(client_admin).get(f"agreements/{agreed.pk}/document?version=2").status_code == 404


def test_the_list_filters_by_state_and_organization(agreed, level3, people, api_as, other_org):
    api = api_as(people["technician"])
    assert [a["id"] for a in api.get("agreements?state=accepted").json()["items"]] == [agreed.pk]
    assert api.get("agreements?state=draft").json()["items"] == []
    assert api.get(f"agreements?organization={other_org.pk}").json()["items"] == []
    assert api.get("agreements?state=bogus").status_code == 422
    assert api_as(people["other_org"]).get("agreements").json()["items"] == []
    assert api_as(people["other_org"]).get(f"agreements/{agreed.pk}").status_code == 404
    mine = api_as(people["client_admin"]).get(f"agreements?organization={level3.organization_id}")
    assert [a["id"] for a in mine.json()["items"]] == [agreed.pk]


def test_the_request_shows_its_resolution_target(agreed, client_admin, contact, api_as):
    for reader in (client_admin, contact):
        sla = api_as(reader).get(f"tickets/{agreed.ticket_id}").json()["sla"]
        assert sla["resolution_due"] == "2027-01-15T17:00:00-05:00"
        assert sla["resolution_terms"] == (
            f"Entente de développement no {agreed.pk}, version 1, acceptée le 2026-12-01"
        )
    english = api_as(client_admin).get(
        f"tickets/{agreed.ticket_id}", headers={"Accept-Language": "en"}
    )
    assert english.json()["sla"]["resolution_terms"] == (
        f"Development agreement no. {agreed.pk}, version 1, accepted on 2026-12-01"
    )


def test_milestones_are_marked_done_by_the_team_only(agreed, people, api_as):
    milestone = Milestone.objects.filter(agreement=agreed).first()
    path = f"agreements/{agreed.pk}/milestones/{milestone.pk}/done"
    assert api_as(people["client_admin"]).post(path).status_code == 403
    assert api_as(people["other_org"]).post(path).status_code == 404
    assert api_as(people["manager"]).post(path).status_code == 403
    r = api_as(people["technician"]).post(path)
    assert r.status_code == 200
    done = next(m for m in r.json()["milestones"] if m["id"] == milestone.pk)
    assert done["done_at"] is not None
    assert done["late"] is False
    assert (
        api_as(people["technician"])
        .post(f"agreements/{agreed.pk}/milestones/999999/done")
        .status_code
        == 422
    )


def test_every_version_can_be_downloaded_again(agreed, tech3, lead, client_admin, api_as):
    api_as(tech3).patch(f"agreements/{agreed.pk}", {"estimate_minutes": 1400})
    for reader, version, status in (
        (client_admin, 1, 200),
        (client_admin, 2, 404),
        (tech3, 2, 200),
        (tech3, 3, 404),
    ):
        r = api_as(reader).get(f"agreements/{agreed.pk}/document?version={version}")
        assert r.status_code == status, (reader, version)
        if status == 200:
            assert r["Content-Type"] == "application/pdf"
            assert r.content.startswith(b"%PDF")
            assert f"-v{version}.pdf" in r["Content-Disposition"]


def test_managers_name_delegates_and_set_the_confirmation_delay(people, api_as):
    manager, technician = api_as(people["manager"]), api_as(people["technician"])
    r = manager.post("agreements/delegates", {"user": people["technician"].pk})
    assert r.status_code == 201
    assert technician.post("agreements/delegates", {"user": people["lead"].pk}).status_code == 403
    assert manager.post("agreements/delegates", {"user": people["contact"].pk}).status_code == 422
    assert [d["user"] for d in technician.get("agreements/delegates").json()] == [
        people["technician"].pk
    ]
    assert manager.patch("agreements/settings", {"confirm_after_days": 3}).json() == {
        "confirm_after_days": 3
    }
    assert manager.patch("agreements/settings", {"confirm_after_days": 0}).status_code == 422
    assert technician.patch("agreements/settings", {"confirm_after_days": 3}).status_code == 403
    assert manager.delete(f"agreements/delegates/{r.json()['id']}").status_code == 204
    assert technician.get("agreements/delegates").json() == []


def test_quoted_work_is_stated_on_the_agreement(level3, tech3, api_as):
    r = api_as(tech3).post(
        f"tickets/{level3.pk}/agreements",
        {**CONTENT, "payment": "quoted", "quoted_amount": "2500.5", "language": "en"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["payment"], body["quoted_amount"], body["language"]) == ("quoted", "2500.50", "en")


def test_a_delivery_date_passed_while_in_draft_must_be_revised_before_sending(
    level3, tech3, lead, client_admin, api_as, frozen
):
    agreement = walk(
        draft(level3, tech3, delivery_on=date(2026, 12, 2), milestones=[]),
        (tech3, "propose"),
        (lead, "approve"),
    )
    frozen.move_to("2026-12-03 10:00-05:00")
    r = api_as(tech3).post(f"agreements/{agreement.pk}/transitions", {"action": "send"})
    assert r.status_code == 409
    assert r.json()["state"] == "approved"
