"""Where statements are: the console (any organization) and the portal (one's own)."""

from django.urls import path

from soutien.web import statement_views

urlpatterns = [
    path(
        "console/organisations/<int:organization_id>/releve/",
        statement_views.console_statement,
        name="console_statement",
    ),
    path("portail/releve/", statement_views.portal_statement, name="portal_statement"),
]
