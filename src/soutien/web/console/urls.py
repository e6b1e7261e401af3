from django.urls import path

from soutien.web.console import views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("demandes/nouvelle/", views.ticket_new, name="ticket_new"),
    path("contacts/options/", views.contact_options, name="contact_options"),
    path("demandes/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("demandes/<int:ticket_id>/<str:action>/", views.ticket_action, name="ticket_action"),
]
