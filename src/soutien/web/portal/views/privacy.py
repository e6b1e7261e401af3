"""A client's own personal information (Law 25): ask for the export, download it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.core.errors import ServiceError
from soutien.privacy import selectors, services
from soutien.privacy.models import Export
from soutien.web.access import client_required, current_user
from soutien.web.forms import reporting


@client_required
@require_GET
def my_information(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    return render(request, "portal/privacy.html", {"exports": list(selectors.exports_of(me)[:10])})


@client_required
@require_POST
def my_export(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    with reporting(request, _("Your file is ready: download it below.")):
        services.export_request(actor=me, person=me)
    return redirect("portal:privacy")


@client_required
@require_GET
def my_export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    me = current_user(request)
    try:
        export = services.export_for(me, export_id)
        if export.person_id != me.pk:
            raise Http404
        export = services.export_download(actor=me, export=export)
    except ServiceError as exc:
        raise Http404(exc.message) from None
    data = bytes(Export.objects.values_list("data", flat=True).get(pk=export.pk))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "no-store"
    return response
