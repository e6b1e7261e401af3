"""The request page's forms rendered without the template engine read exactly as Django's
renderer writes them: every field, unbound and with errors, escaped, in both languages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template
from django.utils import translation

from soutien.web.console.forms.contracts import TimeEntryForm
from soutien.web.console.forms.rendering import plain_widgets
from soutien.web.console.forms.tickets import (
    AssignForm,
    CallForm,
    LevelForm,
    NoteForm,
    ReplyForm,
    StatusForm,
)

AT = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("America/Toronto"))

FORMS = {
    "reply": lambda **kw: ReplyForm(initial={"seen_message": 3}, **kw),
    "reply with errors": lambda **kw: ReplyForm(
        {"body": '<b>Déjà</b> & "fait"', "then_wait": "on", "seen_message": "x"}, **kw
    ),
    "note": lambda **kw: NoteForm(**kw),
    "call": lambda **kw: CallForm(**kw),
    "call with errors": lambda **kw: CallForm({"body": "", "direction": "sideways"}, **kw),
    "level": lambda **kw: LevelForm(initial={"level": 2}, **kw),
    "assign": lambda **kw: AssignForm(level=1, **kw),
    "assign with errors": lambda **kw: AssignForm({"assignee": "999999"}, level=2, **kw),
    "status": lambda **kw: StatusForm(initial={"status": "waiting"}, **kw),
    "time": lambda **kw: TimeEntryForm(initial={"started_at": AT}, **kw),
    "time with errors": lambda **kw: TimeEntryForm(
        {"started_at": "2026-12-01T10:15", "minutes": "beaucoup", "note": "<script>x</script>"},
        **kw,
    ),
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", list(FORMS))
def test_the_plain_renderer_writes_what_django_writes(name, language, tech1, tech2):
    fields = get_template("web/_form_fields.html")
    with translation.override(language):
        django = fields.render({"form": FORMS[name](renderer=DjangoTemplates())})
        plain = fields.render({"form": FORMS[name](renderer=plain_widgets)})
    assert plain == django
    assert any(tag in plain for tag in ("<input", "<select", "<textarea")), "fields were drawn"
    if name == "assign":
        assert tech1.display_name in plain, "the technicians are the choices"
