"""The public support page: open now or next opening at frozen instants, coordinates, levels,
plans, the published policy with its version date, and links to the help centre."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.test import Client

from soutien.kb import services
from soutien.sla import configuration
from soutien.sla.selectors import support_hours_status
from tests.web.helpers import EASTERN


def _page(at: datetime, language: str = "fr") -> str:
    with time_machine.travel(at.replace(tzinfo=EASTERN), tick=False):
        r = Client(headers={"Accept-Language": language}).get("/soutien/")
    assert r.status_code == 200
    return r.content.decode()


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Tuesday morning, standard hours 08:00-17:00: open, closes at 17:00.
        (datetime(2026, 12, 1, 9, 30), "Support is open now. It closes at 5:00 PM."),
        # Saturday: next opening Monday 08:00.
        (
            datetime(2026, 12, 5, 11, 0),
            "Support is closed now. It opens again Monday, December 7, 2026, 8:00 AM.",
        ),
        # Fête nationale (Wednesday June 24, Quebec holiday): next opening Thursday.
        (
            datetime(2026, 6, 24, 10, 0),
            "Support is closed now. It opens again Thursday, June 25, 2026, 8:00 AM.",
        ),
        # Christmas Day, then Boxing Day is not a Quebec holiday but a Saturday.
        (
            datetime(2026, 12, 25, 9, 0),
            "Support is closed now. It opens again Monday, December 28, 2026, 8:00 AM.",
        ),
    ],
)
def test_the_page_says_open_now_or_when_support_next_opens(db, now, expected):
    text = " ".join(_page(now, "en").split())
    words = " ".join(expected.split())
    assert (
        words.replace("Support is open now. ", "Support is open now.</span> ").replace(
            "Support is closed now. ", "Support is closed now.</span> "
        )
        in text
    )


@pytest.fixture
def lunch_policy(manager):
    """A policy version whose standard hours break for lunch (12:00-13:00)."""
    split = [[8 * 60, 12 * 60], [13 * 60, 17 * 60]]
    calendar = configuration.calendar_save(
        actor=manager, name="Avec dîner", windows={str(day): split for day in range(5)}
    )
    return configuration.policy_publish(
        actor=manager,
        effective_from=datetime(2026, 11, 1, tzinfo=EASTERN),
        text_fr="Politique avec pause du dîner.",
        text_en="Policy with a lunch break.",
        calendar=calendar,
        minutes_untriaged=60,
        minutes_level_1=60,
        minutes_level_2=300,
        minutes_level_3=60,
    )


def test_at_lunch_the_page_says_closed_until_the_afternoon(lunch_policy):
    lunch = datetime(2026, 12, 1, 12, 15, tzinfo=EASTERN)
    status = support_hours_status(lunch)
    assert not status.open
    assert status.next_opening == datetime(2026, 12, 1, 13, 0, tzinfo=EASTERN)
    text = " ".join(_page(lunch.replace(tzinfo=None), "en").split())
    assert (
        "Support is closed now.</span> It opens again Tuesday, December 1, 2026, 1:00 PM." in text
    )
    assert "Monday - Friday: 08:00-12:00, 13:00-17:00" in text
    assert "Policy with a lunch break." in text
    morning = " ".join(_page(datetime(2026, 12, 1, 11, 0), "en").split())
    assert "Support is open now.</span> It closes at 12:00 PM." in morning


def test_the_policy_text_is_shown_with_its_version_date(lunch_policy):
    text = _page(datetime(2026, 12, 1, 9, 0), "fr")
    assert "Politique avec pause du dîner." in text
    assert "1er novembre 2026" in text


def test_the_page_shows_coordinates_levels_plans_and_help_links(manager):
    services.support_contact_save(
        actor=manager, phone="514 555-0100", email="soutien@ebi.example", fax="514 555-0199"
    )
    text = _page(datetime(2026, 12, 1, 9, 0), "fr")
    for expected in ["514 555-0100", "mailto:soutien@ebi.example", "514 555-0199"]:
        assert expected in text
    # The three levels with the policy's examples.
    levels = " ".join(text[text.index('id="levels"') : text.index('id="plans"')].split())
    assert "Level 1</dt><dd>Vous éprouvez" in levels or "Niveau 1</dt><dd>Vous éprouvez" in levels
    assert "protocole de publication" in levels
    assert "équilibrage des charges" in levels
    # The active plans, with their hours and coverage (in the plans' own section).
    plans = " ".join(text[text.index('id="plans"') : text.index('id="policy"')].split())
    assert "Support de base plus</td> <td>10 " in plans
    assert "08:30-12:30, 13:00-17:00" in plans
    assert "Support de base extra</td> <td>20 " in plans
    for link in ["/aide/depannage/", "/aide/faq/", "/aide/documentation/", "/aide/"]:
        assert f'href="{link}"' in text


def test_public_support_page_needs_no_login(db):
    with time_machine.travel(datetime(2026, 12, 5, 11, 0, tzinfo=EASTERN), tick=False):
        page = Client().get("/soutien/").content.decode()
    assert "Le soutien est fermé" in page
    assert "lundi 7 décembre" in page
    assert "Politique de soutien technique" in page
