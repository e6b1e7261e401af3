"""Forms of the knowledge base's console pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language
from soutien.kb.models import Category, Kind, SupportContact, Visibility


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    visibility = forms.TypedChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, coerce=int
    )
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        max_length=200_000,
        required=False,
    )
    error_codes = forms.CharField(
        label=_("Error messages and codes it solves"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        required=False,
        help_text=_("One per line, exactly as the software shows them."),
    )
    slug = forms.SlugField(
        label=_("Address"),
        max_length=120,
        required=False,
        help_text=_("Made from the title when left empty."),
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


class ImageForm(forms.Form):
    file = forms.FileField(label=_("Image (PNG, JPEG, GIF or WebP)"))


class LinkForm(forms.Form):
    other = forms.SlugField(label=_("Address of the version in the other language"), max_length=120)


class CategoryForm(forms.Form):
    name_fr = forms.CharField(label=_("Name (French)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    slug = forms.SlugField(label=_("Short name"), max_length=80, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)


class SupportContactForm(forms.ModelForm):
    class Meta:
        model = SupportContact
        fields = [
            "phone",
            "email",
            "fax",
            "address",
            "level_1_fr",
            "level_1_en",
            "level_2_fr",
            "level_2_en",
            "level_3_fr",
            "level_3_en",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in [
                "address",
                *[f"level_{n}_{lang}" for n in (1, 2, 3) for lang in ("fr", "en")],
            ]
        }
