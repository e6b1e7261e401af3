"""Console forms of a request: the actions on it, and a request filed by staff for a client."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Organization, User
from soutien.ticketing.models import CallDirection, Channel, Level, Status
from soutien.web.forms import MultipleFileField, local_datetime_field


class _OnRequestPage(forms.Form):
    """A form shown with others on a request's page: its own element ids (`reply_body`, ...)."""

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(_OnRequestPage):
    id_prefix = "reply"
    body = forms.CharField(
        label=_("Reply to the client"), widget=forms.Textarea(attrs={"rows": 5}), max_length=100_000
    )
    attachments = MultipleFileField(label=_("Attachments"))
    then_wait = forms.BooleanField(label=_("Then wait for the client"), required=False)
    # The last message the writer had on screen: a reply written before someone else answered
    # is held (see ticketing.services.message_add).
    seen_message = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    # Where to go once sent (the queue the technician came from, set by the keyboard script).
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    # The files of a held reply, kept on the server for "send anyway" (ticketing.held).
    held_files = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)


class NoteForm(_OnRequestPage):
    id_prefix = "note"
    body = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=100_000
    )
    attachments = MultipleFileField(label=_("Attachments"))


class CallForm(_OnRequestPage):
    id_prefix = "call"
    direction = forms.ChoiceField(label=_("Direction"), choices=CallDirection.choices)
    started_at = local_datetime_field(
        _("Started at"), required=False, help_text=_("Leave empty for now.")
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60
    )
    caller = forms.CharField(label=_("Caller"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=100_000
    )


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Level"), choices=Level.choices, coerce=int)


class _ListedChoices(forms.models.ModelChoiceIterator):
    """The choices in one plain query: a short list needs no server-side cursor (three round
    trips to PostgreSQL instead of one)."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _TechnicianField(forms.ModelChoiceField):
    iterator = _ListedChoices


class AssignForm(forms.Form):
    assignee = _TechnicianField(
        label=_("Technician"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, level: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.technicians(level).order_by("full_name", "username")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


class FiledForClientForm(forms.Form):
    """What any request filed by staff names: the client organization, its contact, when it came."""

    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.filter(is_active=True)
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=User.objects.filter(organization__isnull=False, is_active=True)
    )
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False, help_text=_("Leave empty for now.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        organization, contact = data.get("organization"), data.get("contact")
        if organization and contact and contact.organization_id != organization.pk:
            self.add_error("contact", _("This contact is not a member of this organization."))
        if data.get("received_at") is None:
            data["received_at"] = timezone.now()
        return data


class NewTicketForm(FiledForClientForm):
    """A request filed by staff for a client: a phone call, a fax, an email forwarded by hand."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000
    )
    call_minutes = forms.IntegerField(
        label=_("Call duration (minutes)"),
        min_value=1,
        max_value=24 * 60,
        required=False,
        help_text=_("For a phone call: the call is logged on the request."),
    )
    # The logged call's direction and caller (its start is `received_at`, its summary the body).
    call_direction = forms.ChoiceField(
        label=_("Direction"),
        choices=CallDirection.choices,
        initial=CallDirection.INBOUND,
        required=False,
    )
    caller = forms.CharField(
        label=_("Caller"), max_length=200, required=False, help_text=_("Leave empty: the contact.")
    )
    attachments = MultipleFileField(label=_("Attachments"))

    field_order = ["organization", "contact", "channel", "received_at"]
