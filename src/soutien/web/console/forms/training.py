"""Console forms for training requests, sessions, teleconferences, rooms and time off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language, User
from soutien.sla.models import ServiceCalendar
from soutien.ticketing.models import Channel
from soutien.training import selectors
from soutien.training.models import Place, Room, Session, Subject
from soutien.web.console.forms.tickets import FiledForClientForm
from soutien.web.forms import local_datetime_field
from soutien.web.training import TrainingRequestForm

DURATIONS = [
    (60, _("1 hour")),
    (90, _("1 h 30")),
    (120, _("2 hours")),
    (180, _("3 hours (half a day)")),
    (240, _("4 hours")),
    (420, _("7 hours (a day)")),
]


class StaffTrainingRequestForm(FiledForClientForm, TrainingRequestForm):
    """A training asked for by a client on the phone, by email or in person, filed by staff."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)

    field_order = ["organization", "contact", "channel", "received_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Narrow the contacts to the chosen organization (htmx, no script of our own).
        self.fields["organization"].widget.attrs.update(
            {
                "hx-get": reverse("console:contact_options"),
                "hx-target": "#id_contact",
                "hx-trigger": "change",
            }
        )


class TrainingDetailsForm(forms.Form):
    """Staff complete or correct what the client asked (a request by email says it in words)."""

    subject = forms.ChoiceField(label=_("Topic"), choices=Subject.choices)
    subject_detail = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    place = forms.ChoiceField(label=_("Place"), choices=Place.choices)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    attendee_count = forms.IntegerField(label=_("Number of attendees"), min_value=1, max_value=500)
    language = forms.ChoiceField(label=_("Language of the training"), choices=Language.choices)


def _trainers() -> Any:
    return selectors.trainers()


class SessionForm(forms.Form):
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=User.objects.none())
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, empty_label=_("No room")
    )
    starts_at = local_datetime_field(_("Starts at"))
    ends_at = local_datetime_field(_("Ends at"))
    location = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("Leave empty for the room, or the client's address."),
    )
    join_url = forms.URLField(
        label=_("Join link"), required=False, max_length=500, assume_scheme="https"
    )
    override = forms.BooleanField(
        label=_("Book it even outside working hours or on a closed day"), required=False
    )
    confirmed = forms.BooleanField(
        label=_("The client already agreed: confirm it now"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = _trainers()  # type: ignore[attr-defined]
        self.fields["room"].queryset = selectors.rooms(active_only=True)  # type: ignore[attr-defined]


class SlotFilterForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=_("Length"), choices=DURATIONS, coerce=int, initial=180, required=False
    )
    trainer = forms.ModelChoiceField(
        label=_("Trainer"), queryset=User.objects.none(), required=False, empty_label=_("Any")
    )
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, empty_label=_("Any")
    )
    days = forms.IntegerField(
        label=_("Within (days)"), min_value=1, max_value=366, initial=30, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = _trainers()  # type: ignore[attr-defined]
        self.fields["room"].queryset = selectors.rooms(active_only=True)  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    host = forms.ModelChoiceField(label=_("Given by"), queryset=User.objects.none())
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, empty_label=_("No room")
    )
    starts_at = local_datetime_field(_("Starts at"))
    ends_at = local_datetime_field(_("Ends at"))
    join_url = forms.URLField(
        label=_("Join link"), required=False, max_length=500, assume_scheme="https"
    )
    override = forms.BooleanField(
        label=_("Book it even outside working hours or on a closed day"), required=False
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "host": session.host_id,
                "room": session.room_id,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "join_url": session.join_url,
            },
        )
        super().__init__(*args, **kwargs)
        hosts = _trainers() if session.training_id else selectors.technicians()
        self.fields["host"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["room"].queryset = selectors.rooms(active_only=True)  # type: ignore[attr-defined]
        if not session.training_id:
            del self.fields["room"]


class HeldForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class NoShowForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class TeleconferenceForm(forms.Form):
    starts_at = local_datetime_field(_("Starts at"))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60, initial=30)
    join_url = forms.URLField(
        label=_("Join link"), required=False, max_length=500, assume_scheme="https"
    )
    bridge = forms.CharField(
        label=_("Bridge number"),
        required=False,
        max_length=100,
        help_text=_("A join link or a bridge number (with its code)."),
    )
    technician = forms.ModelChoiceField(
        label=_("Technician"), queryset=User.objects.none(), required=False,
        empty_label=_("Me"),
    )  # fmt: skip
    override = forms.BooleanField(
        label=_("Book it even outside working hours or on a closed day"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = selectors.technicians()  # type: ignore[attr-defined]


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=10_000)
    equipment = forms.CharField(
        label=_("Equipment"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas: projector, 12 workstations, …"),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def clean_equipment(self) -> list[str]:
        return [item.strip() for item in self.cleaned_data["equipment"].split(",") if item.strip()]


class TimeOffForm(forms.Form):
    starts_at = local_datetime_field(_("From"))
    ends_at = local_datetime_field(_("Until"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class WorkCalendarForm(forms.Form):
    calendar = forms.ModelChoiceField(
        label=_("Working hours"),
        queryset=ServiceCalendar.objects.order_by("name"),
        required=False,
        empty_label=_("The standard service hours"),
    )
