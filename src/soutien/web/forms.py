"""Form helpers shared by the three sites, and how a service's refusal reaches the user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language
from soutien.core.errors import ServiceError
from soutien.newsletter.models import Topic
from soutien.ticketing.services import Upload

# What Chromium's, Firefox's and Safari's datetime-local inputs accept and send, in every locale.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker, in the viewer's time zone.

    The value is always written as 2026-11-30T09:00 whatever the language: a localized value
    ("30/11/2026 09:00") is rejected by the browser, which then shows an empty field.
    """

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_INPUT)


def local_datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    """A date-and-time field shown with the browser's picker; typed values in ISO form too."""
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        **kwargs,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def uploads_from(files: list[UploadedFile]) -> list[Upload]:
    return [
        Upload(name=f.name or "", content=f, size=f.size or 0, content_type=f.content_type or "")
        for f in files
    ]


def check_period(first: date | None, last: date | None) -> None:
    """Refuse a period whose last day comes before its first (an unknown day is not checked)."""
    if first and last and last < first:
        raise forms.ValidationError(_("The period ends before it starts."), code="reversed")


def initial_from(instance: Model, form_class: type[forms.Form]) -> dict[str, Any]:
    """The initial values of a form that edits `instance`: its fields of the same names."""
    return model_to_dict(instance, fields=list(form_class.base_fields))


def apply_service_error(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's refusal on the field it names if the form has it, else on the whole form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@contextmanager
def reporting(request: HttpRequest, done: str) -> Iterator[None]:
    """Run the service calls inside; tell the user `done`, or the service's refusal as an error."""
    try:
        yield
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


class NewsletterChoicesForm(forms.Form):
    """The language a reader gets the newsletter in, and the topics they want."""

    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=Language.choices)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic, or unsubscribe.")},
    )
