"""What the portal and the console share about training: the request form, sessions' display."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language
from soutien.training.invitations import CANCEL, REQUEST, content_type, invitation
from soutien.training.models import Place, Session, SessionStatus, Subject
from soutien.training.services import Attendee, Period

PERIODS = 3


class DateInput(forms.DateInput):
    input_type = "date"


class TrainingRequestForm(forms.Form):
    """What a client asks for (in the portal, or staff in the console on the client's behalf)."""

    subject = forms.ChoiceField(
        label=_("Topic"), choices=Subject.choices, widget=forms.RadioSelect, initial="basics"
    )
    subject_detail = forms.CharField(
        label=_("What should it cover?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10_000,
        help_text=_("Required for “Other”."),
    )
    place = forms.ChoiceField(
        label=_("Place"), choices=Place.choices, widget=forms.RadioSelect, initial="vendor"
    )
    address = forms.CharField(label=_("Address of your premises"), required=False, max_length=300)
    attendees = forms.CharField(
        label=_("Attendees"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=50_000,
        help_text=_("One per line: a name, then a comma and an email address if you wish."),
    )
    attendee_count = forms.IntegerField(
        label=_("Number of attendees"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=_("If more people will come than the names above."),
    )
    language = forms.ChoiceField(label=_("Language of the training"), choices=Language.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, PERIODS + 1):
            self.fields[f"from_{n}"] = forms.DateField(
                label=_("Preferred dates %(n)s: from") % {"n": n},
                widget=DateInput(),
                required=False,
            )
            self.fields[f"to_{n}"] = forms.DateField(
                label=_("to (included)"), widget=DateInput(), required=False
            )

    def clean_attendees(self) -> list[Attendee]:
        people = []
        for line in self.cleaned_data["attendees"].splitlines():
            name, _sep, email = line.partition(",")
            name, email = name.strip(), email.strip()
            if not name and not email:
                continue
            if email:
                try:
                    validate_email(email)
                except ValidationError as exc:
                    raise ValidationError(
                        _("%(value)s is not a valid email address."), params={"value": email}
                    ) from exc
            people.append(Attendee(name or email, email))
        return people

    def periods(self) -> list[Period]:
        """The preferred days as periods from the first day's midnight to after the last."""
        zone = timezone.get_current_timezone()
        found = []
        for n in range(1, PERIODS + 1):
            first: date | None = self.cleaned_data.get(f"from_{n}")
            last: date | None = self.cleaned_data.get(f"to_{n}") or first
            if first is None:
                continue
            assert last is not None
            found.append(
                Period(
                    datetime.combine(first, time(), zone),
                    datetime.combine(last + timedelta(days=1), time(), zone),
                )
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for n in range(1, PERIODS + 1):
            first, last = data.get(f"from_{n}"), data.get(f"to_{n}")
            if last and not first:
                self.add_error(f"from_{n}", _("Give the first day."))
            elif first and last and last < first:
                self.add_error(f"to_{n}", _("The period ends before it starts."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "subject": data["subject"],
            "subject_detail": data["subject_detail"],
            "place": data["place"],
            "address": data["address"],
            "attendees": data["attendees"],
            "attendee_count": data["attendee_count"],
            "preferred": self.periods(),
            "language": data["language"],
        }


def invitation_response(session: Session, language: str) -> HttpResponse:
    """A session's invitation as a file (its cancellation once cancelled)."""
    method = CANCEL if session.status == SessionStatus.CANCELLED else REQUEST
    data = invitation(session, language=language if language in ("fr", "en") else "fr",
                      method=method)  # fmt: skip
    response = HttpResponse(data, content_type=content_type(method))
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response
