import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ceiling.models import Ticket


@csrf_exempt
def insert(request: HttpRequest) -> JsonResponse:
    payload = json.loads(request.body or b"{}")
    ticket = Ticket.objects.create(
        subject=payload.get("subject", ""),
        body=payload.get("body", ""),
        status="new",
        received_at=timezone.now(),
    )
    return JsonResponse({"id": ticket.pk}, status=201)


urlpatterns = [path("insert", insert)]
