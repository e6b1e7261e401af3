from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from soutien.privacy.models import Export

pytestmark = pytest.mark.django_db


def test_a_client_exports_and_downloads_their_own_information(client, contact):
    client.force_login(contact)
    assert client.get(reverse("portal:privacy")).status_code == 200

    client.post(reverse("portal:privacy_export"))

    export = Export.objects.get()
    assert export.person == contact
    assert export.requested_by == contact
    answer = client.get(reverse("portal:privacy_export_download", args=[export.pk]))
    assert answer.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(answer.content)).read("data.json"))
    assert data["profile"]["email"] == contact.email
    export.refresh_from_db()
    assert export.delivered_at is not None


def test_a_client_cannot_download_a_colleagues_export(client, contact, client_admin, manager):
    client.force_login(client_admin)
    client.post(reverse("portal:privacy_export"))
    theirs = Export.objects.get()

    client.force_login(contact)
    answer = client.get(reverse("portal:privacy_export_download", args=[theirs.pk]))

    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.delivered_at is None
