"""Console forms for mailboxes and scanned faxes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language
from soutien.channels.mail.models import Mailbox
from soutien.web.console.forms.tickets import FiledForClientForm
from soutien.web.forms import MultipleFileField


class MailboxForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.EmailField(
        label=_("Address"), help_text=_("The address clients write to; our answers come from it.")
    )
    host = forms.CharField(label=_("IMAP server"), max_length=255)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Security"), choices=Mailbox.Security.choices)
    username = forms.CharField(label=_("User name"), max_length=255)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )
    password_env = forms.CharField(
        label=_("Or the environment variable that holds it"), max_length=100, required=False
    )
    folder = forms.CharField(label=_("Folder"), max_length=200, initial="INBOX")
    after_import = forms.ChoiceField(label=_("After import"), choices=Mailbox.AfterImport.choices)
    move_to = forms.CharField(label=_("Move to folder"), max_length=200, required=False)
    is_fax_gateway = forms.BooleanField(label=_("This is the fax gateway"), required=False)
    is_training = forms.BooleanField(
        label=_("This is the training address"),
        required=False,
        help_text=_("New messages to it are training requests."),
    )
    unknown_sender = forms.ChoiceField(
        label=_("Unknown senders"), choices=Mailbox.UnknownSender.choices
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    poll_every_minutes = forms.IntegerField(
        label=_("Poll every (minutes)"), min_value=1, max_value=24 * 60, initial=1
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_mailbox(cls, mailbox: Mailbox) -> MailboxForm:
        initial = {name: getattr(mailbox, name) for name in cls.base_fields if name != "password"}
        return cls(initial=initial)


class FaxForm(FiledForClientForm):
    """A fax that came on paper (or on a fax machine), scanned by staff."""

    fax_number = forms.CharField(
        label=_("Sender's fax number"),
        max_length=40,
        required=False,
        help_text=_("Kept on the contact, so the next faxes from it are filed under them."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("What the fax asks"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=100_000,
        required=False,
    )
    scans = MultipleFileField(label=_("Scanned fax (PDF, TIFF, PNG or JPEG)"))

    field_order = ["organization", "contact", "fax_number", "received_at"]
