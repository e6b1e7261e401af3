from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from soutien.api.v1 import api
from soutien.web import views as web_views

# One namespace per site: public (landing, sign-in, support page, help centre), portal, console.
# Infrastructure stays at the root without a namespace: the health check, the language switch,
# attachment downloads (the same address for staff and clients), the API and Django's admin.
urlpatterns = [
    path("", include("soutien.web.public.urls")),
    path("portail/", include("soutien.web.portal.urls")),
    path("console/", include("soutien.web.console.urls")),
    path("healthz", web_views.healthz, name="healthz"),
    path("langue/", set_language, name="set_language"),
    path("fichiers/<int:attachment_id>/", web_views.download, name="download"),
    path("api/v1/", api.urls),
    # Django's admin signs in through Soutien's own two steps (throttle, second factor).
    path("admin/login/", RedirectView.as_view(url="/connexion/", query_string=True)),
    path("admin/", admin.site.urls),
    path("favicon.ico", web_views.favicon, name="favicon"),
]

# A busy database answers 503 with Retry-After (a page, or JSON under /api/), not a bare 500.
# Styled error pages in the visitor's language (the sites' frame; the 500 page stands alone).
handler403 = "soutien.web.views.permission_denied"
handler404 = "soutien.web.views.page_not_found"
handler500 = "soutien.web.views.server_error"
