"""Console URLs of the mail and fax channels (included under /console/)."""

from django.urls import path

from soutien.web import mail_views as views

app_name = "mail"

urlpatterns = [
    path("courriel/", views.mailbox_list, name="mailboxes"),
    path("courriel/boites/nouvelle/", views.mailbox_edit, name="mailbox_new"),
    path("courriel/boites/<int:mailbox_id>/", views.mailbox_detail, name="mailbox"),
    path("courriel/boites/<int:mailbox_id>/modifier/", views.mailbox_edit, name="mailbox_edit"),
    path("courriel/boites/<int:mailbox_id>/tester/", views.mailbox_test, name="mailbox_test"),
    path("courriel/boites/<int:mailbox_id>/relever/", views.mailbox_poll, name="mailbox_poll"),
    path("courriel/recus/<int:email_id>/", views.email_detail, name="email"),
    path("courriel/recus/<int:email_id>/brut/", views.email_raw, name="email_raw"),
    path("courriel/recus/<int:email_id>/reessayer/", views.email_retry, name="email_retry"),
    path("courriel/copies/<int:copy_id>/reessayer/", views.copy_retry, name="copy_retry"),
    path("courriel/envois/", views.outbound_list, name="outbound"),
    path("courriel/envois/<int:email_id>/renvoyer/", views.outbound_retry, name="outbound_retry"),
    path("courriel/demandes/<int:ticket_id>/", views.ticket_emails, name="ticket_emails"),
    path("telecopies/nouvelle/", views.fax_new, name="fax_new"),
]
