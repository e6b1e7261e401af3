from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from soutien.api.v1 import api
from soutien.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("soutien/", web_views.support_page, name="support"),
    path("connexion/", web_views.SignInView.as_view(), name="login"),
    path("deconnexion/", web_views.sign_out, name="logout"),
    path("langue/", set_language, name="set_language"),
    path("fichiers/<int:attachment_id>/", web_views.download, name="download"),
    path("", include("soutien.web.statement_urls")),
    path("portail/", include("soutien.web.portal.urls")),
    path("console/", include("soutien.web.console.urls")),
    path("", include("soutien.web.kb_urls")),
    path("console/", include("soutien.web.mail_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
