"""Console forms for the newsletter: issues and their sections, consent taken by staff, problems
worth telling, the sender's identification and the consent texts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language
from soutien.newsletter.issues import SectionText
from soutien.newsletter.models import ConsentText, Topic
from soutien.web.forms import local_datetime_field

MARKDOWN = forms.Textarea(attrs={"rows": 6})


class DraftForm(forms.Form):
    """Start a month's draft from the knowledge base and the problems worth telling."""

    month = forms.CharField(
        label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )

    def clean_month(self) -> date:
        value = self.cleaned_data["month"]
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            raise forms.ValidationError(_("A month is written 2026-11."), code="month") from None


class IssueForm(forms.Form):
    subject_fr = forms.CharField(label=_("Subject (French)"), max_length=200)
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200)
    intro_fr = forms.CharField(
        label=_("Introduction (French, Markdown)"), required=False, widget=MARKDOWN
    )
    intro_en = forms.CharField(
        label=_("Introduction (English, Markdown)"), required=False, widget=MARKDOWN
    )


class SectionForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_fr = forms.CharField(label=_("Text (French, Markdown)"), required=False, widget=MARKDOWN)
    body_en = forms.CharField(label=_("Text (English, Markdown)"), required=False, widget=MARKDOWN)

    def section(self) -> SectionText:
        data = self.cleaned_data
        return SectionText(
            data["topic"], data["title_fr"], data["title_en"], data["body_fr"], data["body_en"]
        )


class BaseSectionFormSet(forms.BaseFormSet[SectionForm]):
    def sections(self) -> list[SectionText]:
        """The sections kept, in order (a form left empty or marked to delete is dropped)."""
        kept = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if not any(data.get(k) for k in ("title_fr", "title_en", "body_fr", "body_en")):
                continue
            kept.append(form.section())
        return kept


def section_formset(*args: Any, **kwargs: Any) -> BaseSectionFormSet:
    """The sections of an issue: one form each, and one empty to add a section."""
    factory = forms.formset_factory(
        SectionForm, formset=BaseSectionFormSet, extra=1, can_delete=True, max_num=20
    )
    kwargs.setdefault("prefix", "sections")
    formset = factory(*args, **kwargs)
    assert isinstance(formset, BaseSectionFormSet)
    return formset


class ScheduleForm(forms.Form):
    at = local_datetime_field(_("Send at"))


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Image (PNG, JPEG, GIF or WebP, 2 MB at most)"))


class ConsentForm(forms.Form):
    """Consent a person gave on the phone or in person, recorded by the staff member."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=Language.choices)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None checked: every topic."),
    )
    text_version = forms.ModelChoiceField(
        label=_("Text read to the person"),
        queryset=ConsentText.objects.all(),
        to_field_name="version",
        empty_label=None,
    )
    said_yes = forms.BooleanField(
        label=_("The person agreed to this text, just now, with me."),
        error_messages={"required": _("Record consent only once the person agreed.")},
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "language": data["language"],
            "topics": data["topics"],
            "text_version": data["text_version"].version,
            "source": "console",
        }


class ImpliedForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Relationship"),
        choices=[
            ("contract", _("Contract or plan (two years after it ends)")),
            ("inquiry", _("Request to support (six months after it)")),
        ],
    )


class ProblemForm(forms.Form):
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    summary_fr = forms.CharField(
        label=_("What happened and the fix (French)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_en = forms.CharField(
        label=_("What happened and the fix (English)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class SettingsForm(forms.Form):
    sender_name = forms.CharField(label=_("Sender's name"), max_length=200)
    postal_address = forms.CharField(
        label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reach = forms.CharField(
        label=_("How to reach us"),
        max_length=300,
        help_text=_("An email address, a phone number or a web address, shown in every issue."),
    )
    from_address = forms.EmailField(
        label=_("Sending address"),
        required=False,
        help_text=_(
            "Empty: the server's sending address. Bounces come back to it: make it a "
            "mailbox Soutien reads."
        ),
    )
    batch_size = forms.IntegerField(label=_("Messages per batch"), min_value=1, max_value=5000)
    rate_per_minute = forms.IntegerField(
        label=_("Messages per minute"),
        min_value=0,
        max_value=100_000,
        help_text=_("0: as fast as the server takes them."),
    )
    senders = forms.IntegerField(label=_("Workers sending at once"), min_value=1, max_value=20)


class ConsentTextForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=40)
    text_fr = forms.CharField(label=_("Text (French)"), widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 3}))


class SuppressForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    detail = forms.CharField(label=_("Why"), max_length=500, required=False)
