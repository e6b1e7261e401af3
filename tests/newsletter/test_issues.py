"""Issues: drafted from the knowledge base and the problems worth telling, edited as drafts,
scheduled, started once with the recipients fixed at that moment."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from soutien.contracts.terms import VENDOR_ZONE
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.kb.models import ArticleDay, Visibility
from soutien.newsletter import compose, issues, periodic, selectors, sending, services
from soutien.newsletter.issues import SectionText
from soutien.newsletter.models import Delivery, Issue, ResolvedProblem
from soutien.notifications.models import Notification
from soutien.ticketing import services as ticketing
from tests import factories
from tests.newsletter.fixtures import subscribed

NOVEMBER = date(2026, 11, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _resolved_level_2(contact, tech2, manager):
    ticket = factories.ticket(contact=contact, subject="La synchronisation échoue (Client X)")
    ticketing.ticket_update(actor=manager, ticket=ticket, level=2, assignee=tech2)
    return ticketing.ticket_change_status(actor=tech2, ticket=ticket, status="resolved")


@time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=VENDOR_ZONE))
def test_the_draft_tells_the_months_new_and_most_consulted_articles_and_the_problems_marked(
    publish, manager, contact, tech2
):
    new_fr = publish("Publier un PDF", language="fr", summary="En trois étapes.")
    new_en = publish("Publishing a PDF", language="en", group=new_fr.group)
    publish("Réservé aux clients", visibility=Visibility.CLIENTS)
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=VENDOR_ZONE)):
        popular = publish("Erreur 0x80070005", language="fr")
        quiet = publish("Rarement lu", language="fr")
    ArticleDay.objects.create(article=popular, day=date(2026, 11, 3), views=40)
    ArticleDay.objects.create(article=quiet, day=date(2026, 10, 31), views=900)  # last month
    ticket = _resolved_level_2(contact, tech2, manager)
    problem = issues.problem_mark(
        actor=manager, ticket=ticket, title_fr="Synchronisation des profils",
        title_en="Profile synchronization", summary_fr="Corrigé par la version 4.2.",
        summary_en="Fixed in version 4.2.",
    )  # fmt: skip

    issue = issues.issue_create(actor=manager, from_knowledge_base=True)
    assert issue.month == NOVEMBER
    assert issue.subject_fr == "Infolettre technique — novembre 2026"
    assert issue.subject_en == "Technical newsletter — November 2026"
    sections = list(issue.sections.all())
    assert [(s.topic, s.title_fr, s.title_en) for s in sections] == [
        ("knowledge_base", "Nouveau dans la base de connaissances", "New in the knowledge base"),
        ("knowledge_base", "Les plus consultés ce mois-ci", "Most consulted this month"),
        ("problems", "Problèmes résolus", "Problems solved"),
    ]
    new, most, solved = sections
    assert new.body_fr == f"- [Publier un PDF](/aide/articles/{new_fr.slug}/) — En trois étapes."
    assert new.body_en == f"- [Publishing a PDF](/aide/articles/{new_en.slug}/)"
    assert "Erreur 0x80070005" in most.body_fr
    assert "Rarement lu" not in most.body_fr + new.body_fr
    assert "Réservé aux clients" not in new.body_fr
    assert "Corrigé par la version 4.2." in solved.body_fr
    assert (
        "Client X" not in solved.body_fr + solved.body_en
    )  # the manager's words, not the client's
    problem.refresh_from_db()
    assert problem.told_in == issue
    # Told once: next month's draft does not tell it again.
    with time_machine.travel(datetime(2026, 12, 5, tzinfo=VENDOR_ZONE)):
        december = issues.issue_create(actor=manager, from_knowledge_base=True)
    assert not december.sections.filter(topic="problems").exists()


def test_only_a_resolved_level_2_request_is_marked_worth_telling(manager, contact, tech2):
    ticket = factories.ticket(contact=contact)
    with pytest.raises(InvalidInput):
        issues.problem_mark(actor=manager, ticket=ticket, title_fr="a", title_en="a",
                            summary_fr="b", summary_en="b")  # fmt: skip
    resolved = _resolved_level_2(contact, tech2, manager)
    with pytest.raises(NotAllowed):
        issues.problem_mark(actor=tech2, ticket=resolved, title_fr="a", title_en="a",
                            summary_fr="b", summary_en="b")  # fmt: skip


def test_only_a_draft_is_edited_and_a_sent_issue_goes_out_once(manager, tech1, sender):
    subscribed("a@example.org", staff=tech1)
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="Bonjour.",
                                intro_en="Hello.")  # fmt: skip
    issues.issue_update(actor=manager, issue=issue, subject_fr="Novembre", subject_en="November",
                        intro_fr="Allô.", intro_en="Hi.",
                        sections=[SectionText("news", "Nouvelles", "News", "Oui.", "Yes.")])  # fmt: skip
    issues.issue_send(actor=manager, issue=issue)
    with pytest.raises(Conflict):
        issues.issue_update(actor=manager, issue=issue, subject_fr="x", subject_en="x",
                            intro_fr="", intro_en="")  # fmt: skip
    with pytest.raises(Conflict):
        issues.issue_send(actor=manager, issue=issue)
    assert Delivery.objects.count() == 1


def test_a_section_written_in_one_language_only_stops_the_sending(manager, sender):
    issue = issues.issue_create(
        actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b",
        sections=[SectionText("news", "Nouvelles", "News", "Texte.", "")],
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        issues.issue_send(actor=manager, issue=issue)


def test_the_recipients_are_fixed_when_sending_starts_each_in_their_language(
    manager, tech1, sender
):
    subscribed("fr@example.org", staff=tech1, language="fr")
    english = subscribed("en@example.org", staff=tech1, language="en")
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    issues.issue_send(actor=manager, issue=issue)
    # After the start: a newcomer does not get this issue; a change of language does not apply.
    subscribed("late@example.org", staff=tech1)
    services.preferences_save(subscriber=english, language="fr", topics=["news"])
    copies = dict(issue.deliveries.values_list("email", "language"))
    assert copies == {"fr@example.org": "fr", "en@example.org": "en"}


def test_a_scheduled_issue_starts_when_its_time_comes(manager, tech1, sender):
    subscribed("a@example.org", staff=tech1)
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    at = timezone.now() + timedelta(hours=2)
    issues.issue_schedule(actor=manager, issue=issue, at=at)
    assert issues.start_due() == []
    with time_machine.travel(at + timedelta(seconds=1)):
        assert periodic.start_scheduled_issues.call() == [issue.pk]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert issue.deliveries.count() == 1


def test_a_scheduled_issue_can_go_back_to_draft(manager, sender):
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    issues.issue_schedule(actor=manager, issue=issue, at=timezone.now() + timedelta(days=1))
    issues.issue_unschedule(actor=manager, issue=issue)
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_for) == (Issue.Status.DRAFT, None)


def test_an_issue_is_not_scheduled_without_the_senders_identification(manager, consent_text):
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    with pytest.raises(InvalidInput) as error:
        issues.issue_schedule(actor=manager, issue=issue, at=timezone.now() + timedelta(days=1))
    assert error.value.field == "settings"


def test_sending_runs_to_the_end_and_tells_the_managers(
    manager, tech1, sender, mailoutbox, django_capture_on_commit_callbacks
):
    for n in range(5):
        subscribed(f"r{n}@example.org", staff=tech1)
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    with django_capture_on_commit_callbacks(execute=True):
        issues.issue_send(actor=manager, issue=issue)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert sorted(m.to[0] for m in mailoutbox) == [f"r{n}@example.org" for n in range(5)]
    notice = Notification.objects.get(recipient=manager, kind="newsletter_sent")
    assert notice.data["figures"]["sent"] == 5


def test_a_stalled_sending_is_resumed_by_the_periodic_job(manager, tech1, sender, mailoutbox):
    subscribed("a@example.org", staff=tech1)
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    issues.issue_send(actor=manager, issue=issue)  # its senders' tasks never ran
    assert periodic.resume_sending.call() == []  # not quiet for long enough yet
    later = timezone.now() + sending.claim_timeout() + timedelta(seconds=1)
    with time_machine.travel(later):
        assert periodic.resume_sending.call() == [issue.pk]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert [m.to for m in mailoutbox] == [["a@example.org"]]


def test_an_issues_images_are_its_own_the_same_address_for_every_reader(manager, sender, settings):
    settings.SITE_URL = "https://soutien.example"
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    image = issues.issue_image_add(actor=manager, issue=issue, name="capture.png", content=PNG)
    with pytest.raises(InvalidInput):
        issues.issue_image_add(actor=manager, issue=issue, name="x.svg", content=b"<svg/>")
    path = issues.image_path(image)
    issue = issues.issue_update(
        actor=manager, issue=issue, subject_fr="s", subject_en="s",
        intro_fr=f"![Capture]({path}) ![Pisteur](https://tracker.example/p.gif?u=1)",
        intro_en="b",
    )  # fmt: skip
    edition = compose.edition(issue, "fr", config=selectors.settings_row())
    assert f'src="https://soutien.example{path}"' in edition.html
    assert "tracker.example" not in edition.html
    assert image.file.read() == PNG


def test_who_got_an_old_issue_is_forgotten_its_figures_kept(manager, tech1, sender):
    subscribed("a@example.org", staff=tech1)
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    issues.issue_send(actor=manager, issue=issue)
    while sending.send_batch(issue_id=issue.pk).claimed:
        pass
    assert issues.forget_deliveries() == 0
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert issues.forget_deliveries() == 1
    issue.refresh_from_db()
    assert not issue.deliveries.exists()
    assert selectors.progress_of(issue).sent == 1


def test_unmarking_a_problem_already_told_in_a_sent_issue_is_refused(
    manager, contact, tech2, sender
):
    ticket = _resolved_level_2(contact, tech2, manager)
    issues.problem_mark(actor=manager, ticket=ticket, title_fr="a", title_en="a",
                        summary_fr="b", summary_en="b")  # fmt: skip
    issue = issues.issue_create(actor=manager, month=NOVEMBER, from_knowledge_base=True,
                                intro_fr="a", intro_en="b")  # fmt: skip
    issues.issue_send(actor=manager, issue=issue)
    with pytest.raises(Conflict):
        issues.problem_unmark(actor=manager, problem=ResolvedProblem.objects.get())


def test_each_issue_ends_with_the_person_in_charge_of_personal_information(manager, sender):
    from soutien.accounts.privacy_officer import officer_save

    officer_save(
        actor=manager, name="Claire Dubé", title="", email="vie-privee@ebi.example",
        postal_address="Montréal",
    )  # fmt: skip
    issue = issues.issue_create(actor=manager, month=NOVEMBER, intro_fr="a", intro_en="b")
    for language, words in (("fr", "Protection des renseignements"), ("en", "Protection of")):
        edition = compose.edition(issue, language, config=selectors.settings_row())
        assert f"{words}" in edition.text
        assert "vie-privee@ebi.example" in edition.text
        assert edition.html.index("vie-privee@ebi.example") < edition.html.index("</body>")
