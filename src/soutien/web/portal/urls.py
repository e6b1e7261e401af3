"""The client portal (/portail/): requests, hour banks, the statement."""

from django.urls import path

from soutien.web import statement_views
from soutien.web.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("demandes/nouvelle/", views.ticket_new, name="ticket_new"),
    path("banques/", views.hour_banks, name="hour_banks"),
    path("demandes/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("demandes/<int:ticket_id>/repondre/", views.ticket_reply, name="ticket_reply"),
    path("demandes/<int:ticket_id>/resolue/", views.ticket_resolve, name="ticket_resolve"),
    path("releve/", statement_views.portal_statement, name="statement"),
]
