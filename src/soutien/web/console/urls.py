from django.urls import path

from soutien.web.console import organization_views, settings_views, views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("demandes/nouvelle/", views.ticket_new, name="ticket_new"),
    path("contacts/options/", views.contact_options, name="contact_options"),
    path("demandes/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("demandes/<int:ticket_id>/horloge/", views.ticket_clock, name="ticket_clock"),
    path(
        "demandes/<int:ticket_id>/temps/", organization_views.time_entry_add, name="time_entry_add"
    ),
    path("demandes/<int:ticket_id>/<str:action>/", views.ticket_action, name="ticket_action"),
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "demandes/<int:ticket_id>/temps/", organization_views.time_entry_add, name="time_entry_add"
    ),
    path(
        "temps/<int:entry_id>/supprimer/",
        organization_views.time_entry_delete,
        name="time_entry_delete",
    ),
    path("organisations/", organization_views.organization_list, name="organizations"),
    path(
        "organisations/<int:organization_id>/",
        organization_views.organization_detail,
        name="organization",
    ),
    path(
        "organisations/<int:organization_id>/contrats/",
        organization_views.contract_add,
        name="contract_add",
    ),
    path(
        "organisations/<int:organization_id>/forfaits/",
        organization_views.subscription_add,
        name="subscription_add",
    ),
    path("banques/<int:bank_id>/", organization_views.bank_detail, name="bank"),
    path("depassements/", organization_views.overage, name="overage"),
    path("reglages/forfaits/", organization_views.plan_list, name="plans"),
    path("reglages/forfaits/nouveau/", organization_views.plan_edit, name="plan_new"),
    path("reglages/forfaits/<int:plan_id>/", organization_views.plan_edit, name="plan"),
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
