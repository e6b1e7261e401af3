"""Console pages of the mail and fax channels: mailboxes, quarantine, emails, scanned faxes."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from soutien.channels.mail import ingest
from soutien.channels.mail.content import render_html
from soutien.channels.mail.models import InboundEmail, Mailbox, ServerCopy
from soutien.channels.mail.selectors import mailbox_stats, quarantine, recent_emails, unreadable
from soutien.channels.mail.services import fax_file, mailbox_check, mailbox_save
from soutien.channels.mail.tasks import poll_mailbox, process_email
from soutien.core.errors import ServiceError
from soutien.outbound import outbox
from soutien.outbound.models import OutboundEmail
from soutien.ticketing import selectors as ticket_selectors
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.forms.mail import FaxForm, MailboxForm
from soutien.web.forms import apply_service_error, reporting, uploads_from


@staff_required
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    boxes = list(Mailbox.objects.order_by("name"))
    stats = mailbox_stats(boxes)
    rows = [(box, stats[box.pk]) for box in boxes]
    return render(request, "console/mail/mailbox_list.html", {"rows": rows})


@staff_required
@require_GET
def mailbox_detail(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)
    context = {
        "mailbox": mailbox,
        "stats": mailbox_stats([mailbox])[mailbox.pk],
        "quarantine": list(quarantine(mailbox).defer("raw", "text", "html").order_by("-id")[:100]),
        "unreadable": list(unreadable(mailbox).order_by("-uid")[:100]),
        "emails": recent_emails(mailbox),
    }
    return render(request, "console/mail/mailbox_detail.html", context)


def _save(request: HttpRequest, form: MailboxForm, mailbox: Mailbox | None) -> Mailbox | None:
    data = form.cleaned_data
    try:
        return mailbox_save(
            actor=current_user(request),
            mailbox=mailbox,
            password=data["password"] or None,
            **{k: v for k, v in data.items() if k != "password"},
        )
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None


@manager_required(otherwise="console:mailboxes")
def mailbox_edit(request: HttpRequest, mailbox_id: int | None = None) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id) if mailbox_id else None
    if request.method == "POST":
        form = MailboxForm(request.POST)
        if form.is_valid():
            saved = _save(request, form, mailbox)
            if saved is not None:
                messages.success(request, _("Mailbox saved."))
                return redirect("console:mailbox", mailbox_id=saved.pk)
        status = 400
    else:
        form = MailboxForm.for_mailbox(mailbox) if mailbox else MailboxForm()
        status = 200
    return render(
        request, "console/mail/mailbox_edit.html", {"form": form, "mailbox": mailbox}, status=status
    )


@manager_required(otherwise="console:mailboxes")
@require_POST
def mailbox_test(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)
    try:
        count = mailbox_check(mailbox=mailbox)
    except ServiceError as exc:
        messages.error(request, _("The connection failed: %(error)s") % {"error": exc.message})
    else:
        messages.success(
            request,
            _("Signed in; %(folder)s holds %(count)s messages.")
            % {"folder": mailbox.folder, "count": count},
        )
    return redirect("console:mailbox", mailbox_id=mailbox.pk)


@staff_required
@require_POST
def mailbox_poll(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id, is_active=True)
    transaction.on_commit(lambda: poll_mailbox.enqueue(mailbox.pk))
    messages.success(request, _("The mailbox will be polled in a moment."))
    return redirect("console:mailbox", mailbox_id=mailbox.pk)


@staff_required
@require_GET
def email_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    """One received email as it came: headers, sanitized HTML with its inline images, text."""
    email = get_object_or_404(InboundEmail.objects.defer("raw"), pk=email_id)
    remote = request.GET.get("images") == "1"
    images = {cid: reverse("download", args=[pk]) for cid, pk in email.content_ids.items()}
    shown = render_html(email.html, images, remote_images=remote)
    context = {
        "email": email,
        "shown": shown,
        "remote": remote,
        "copies": email.copies.select_related("mailbox").order_by("id"),
        "answers": OutboundEmail.objects.filter(in_reply_to=email.message_id).order_by("id"),
    }
    return render(request, "console/mail/email_detail.html", context)


@staff_required
@require_GET
@xframe_options_sameorigin
def email_html(request: HttpRequest, email_id: int) -> HttpResponse:
    """The sanitized HTML of an email, alone, for the frame of its page.

    In a frame of its own the email keeps its inline styles and, when asked, its remote
    images, without loosening the policy of the console's pages: nothing in it runs.
    """
    email = get_object_or_404(InboundEmail.objects.defer("raw"), pk=email_id)
    remote = request.GET.get("images") == "1"
    images = {cid: reverse("download", args=[pk]) for cid, pk in email.content_ids.items()}
    shown = render_html(email.html, images, remote_images=remote)
    page = render_to_string("console/mail/email_frame.html", {"html": shown.html})
    response = HttpResponse(page)
    sources = "'self' data: https: http:" if remote else "'self' data:"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; img-src {sources}; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )
    # A remote image must not learn which console page it was shown in.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def email_raw(request: HttpRequest, email_id: int) -> HttpResponse:
    """The message exactly as the server delivered it, as a file (never shown in the page)."""
    email = get_object_or_404(InboundEmail, pk=email_id)
    response = HttpResponse(bytes(email.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="email-{email.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_POST
def email_retry(request: HttpRequest, email_id: int) -> HttpResponse:
    email = get_object_or_404(InboundEmail.objects.defer("raw"), pk=email_id)
    with reporting(request, _("The email will be processed again.")):
        ingest.retry(actor=current_user(request), email=email)
        pk = email.pk
        transaction.on_commit(lambda: process_email.enqueue(pk))
    return redirect("console:email", email_id=email.pk)


@staff_required
@require_POST
def copy_retry(request: HttpRequest, copy_id: int) -> HttpResponse:
    copy = get_object_or_404(ServerCopy, pk=copy_id)
    with reporting(request, _("The message will be fetched again at the next poll.")):
        ingest.copy_retry(actor=current_user(request), copy=copy)
    return redirect("console:mailbox", mailbox_id=copy.mailbox_id)


@staff_required
@require_GET
def ticket_emails(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Every email of a request, received and sent, with their delivery state."""
    ticket = ticket_selectors.ticket_for(current_user(request), ticket_id)
    context = {
        "ticket": ticket,
        "received": ticket.inbound_emails.defer("raw", "text", "html").order_by("id"),
        "sent": ticket.outbound_emails.defer("text", "html").order_by("id"),
    }
    return render(request, "console/mail/ticket_emails.html", context)


@staff_required
@require_GET
def outbound_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status and status not in OutboundEmail.Status.values:
        raise Http404
    rows = OutboundEmail.objects.defer("text", "html").select_related("ticket").order_by("-id")
    if status:
        rows = rows.filter(status=status)
    context = {"emails": list(rows[:200]), "status": status, "statuses": OutboundEmail.Status}
    return render(request, "console/mail/outbound_list.html", context)


@staff_required
@require_POST
def outbound_retry(request: HttpRequest, email_id: int) -> HttpResponse:
    email = get_object_or_404(OutboundEmail, pk=email_id, status=OutboundEmail.Status.FAILED)
    outbox.send_again(email=email)
    messages.success(request, _("The email will be sent again."))
    return redirect(reverse("console:outbound") + "?status=failed")


@staff_required
def fax_new(request: HttpRequest) -> HttpResponse:
    """File a request from a scanned fax."""
    form = FaxForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = fax_file(
                actor=current_user(request),
                organization=data["organization"],
                contact=data["contact"],
                subject=data["subject"],
                body=data["body"],
                received_at=data["received_at"],
                uploads=uploads_from(data["scans"]),
                fax_number=data["fax_number"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Request #%(number)s filed.") % {"number": ticket.number})
            return redirect("console:ticket", ticket_id=ticket.pk)
    status = 400 if form.errors else 200
    return render(request, "console/mail/fax_new.html", {"form": form}, status=status)
