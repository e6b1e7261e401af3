from django.urls import path

from soutien.web.console import settings_views, views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("demandes/nouvelle/", views.ticket_new, name="ticket_new"),
    path("contacts/options/", views.contact_options, name="contact_options"),
    path("demandes/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("demandes/<int:ticket_id>/horloge/", views.ticket_clock, name="ticket_clock"),
    path("demandes/<int:ticket_id>/<str:action>/", views.ticket_action, name="ticket_action"),
    path("notifications/", views.notification_list, name="notifications"),
    path("reglages/calendriers/", settings_views.calendar_list, name="calendars"),
    path("reglages/calendriers/nouveau/", settings_views.calendar_edit, name="calendar_new"),
    path("reglages/calendriers/<int:calendar_id>/", settings_views.calendar_edit, name="calendar"),
    path(
        "reglages/calendriers/<int:calendar_id>/fermetures/",
        settings_views.closure_add,
        name="closure_add",
    ),
    path(
        "reglages/calendriers/<int:calendar_id>/fermetures/<int:closure_id>/retirer/",
        settings_views.closure_remove,
        name="closure_remove",
    ),
    path("reglages/politique/", settings_views.policy, name="policy"),
]
