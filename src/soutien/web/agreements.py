"""What the console and the portal share about development agreements: the page, the answer.

A site's view reads the agreement through `soutien.agreements.selectors` (narrowed to what the
person may see), builds the context here, and renders its own template, which includes
`web/_agreement.html` for the content, the schedule and the versions.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import User
from soutien.agreements import roles, selectors, services
from soutien.agreements.models import Action, Agreement, State
from soutien.core.errors import ServiceError
from soutien.kb.markdown import render as render_markdown
from soutien.web.forms import apply_service_error

# How a client is told where an agreement stands: a revision in progress is the vendor's.
CLIENT_STATES = {
    State.DRAFT: _("Being revised by our team"),
    State.PROPOSED: _("Being revised by our team"),
    State.APPROVED: _("Being revised by our team"),
    State.SENT: _("Awaiting your answer"),
}


class TransitionForm(forms.Form):
    """One step of an agreement: the action, the version it is about, and why (when asked)."""

    action = forms.ChoiceField(choices=Action.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def take_step(user: User, agreement: Agreement, form: TransitionForm) -> bool:
    """Take the step a valid form asks for; False, with the refusal on the form, if refused."""
    data = form.cleaned_data
    try:
        services.agreement_transition(
            actor=user,
            agreement=agreement,
            action=data["action"],
            version=data["version"],
            reason=data["reason"],
        )
    except ServiceError as exc:
        apply_service_error(form, exc)
        return False
    return True


def state_label(user: User, agreement: Agreement) -> str:
    if not user.is_staff_member and agreement.state in CLIENT_STATES:
        return str(CLIENT_STATES[State(agreement.state)])
    return agreement.get_state_display()


def page_context(
    user: User, agreement: Agreement, *, bound: TransitionForm | None = None
) -> dict[str, Any]:
    """The agreement as this person reads it, and the steps it may take, each with its form."""
    version = selectors.shown_version(user, agreement)
    actions = roles.actions_for(user, agreement)
    forms_ = {
        action: (
            bound
            if bound is not None and bound.data.get("action") == action
            else TransitionForm(initial={"action": action, "version": version.number})
        )
        for action in actions
    }
    refused = bound if bound is not None and bound.data.get("action") not in forms_ else None
    return {
        "agreement": agreement,
        "version": version,
        "refused": refused,
        "state_label": state_label(user, agreement),
        "solution_html": render_markdown(version.solution),
        "milestones": selectors.milestone_lines(agreement, version),
        "versions": list(selectors.versions_visible_to(user, agreement)),
        "progress": selectors.progress(agreement, agreement.accepted or version),
        "actions": forms_,
        "action_labels": dict(Action.choices),
    }


def document_response(user: User, agreement: Agreement, number: int) -> HttpResponse:
    """A version's PDF as a download (404 for a version this person may not read)."""
    name, pdf = selectors.document_for(user, agreement, number)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
