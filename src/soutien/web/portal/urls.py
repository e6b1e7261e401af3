"""The client portal (/portail/): requests, hour banks, the statement."""

from django.urls import path

from soutien.web.portal.views import (
    agreements,
    banks,
    contacts,
    newsletter,
    privacy,
    reports,
    security,
    statements,
    tickets,
    training,
)

app_name = "portal"

urlpatterns = [
    path("", tickets.ticket_list, name="tickets"),
    path("demandes/nouvelle/", tickets.ticket_new, name="ticket_new"),
    path("banques/", banks.hour_banks, name="hour_banks"),
    path("demandes/<int:ticket_id>/", tickets.ticket_detail, name="ticket"),
    path("demandes/<int:ticket_id>/repondre/", tickets.ticket_reply, name="ticket_reply"),
    path("demandes/<int:ticket_id>/resolue/", tickets.ticket_resolve, name="ticket_resolve"),
    path("demandes/<int:ticket_id>/avis/", tickets.ticket_rate, name="ticket_rate"),
    path("demandes/<int:ticket_id>/garantie/", tickets.ticket_guarantee, name="ticket_guarantee"),
    path("releve/", statements.statement, name="statement"),
    # A client administrator's people.
    path("contacts/", contacts.contact_list, name="contacts"),
    path("contacts/<int:user_id>/invitation/", contacts.contact_invite, name="contact_invite"),
    path(
        "contacts/<int:user_id>/desactiver/", contacts.contact_deactivate, name="contact_deactivate"
    ),
    path(
        "contacts/<int:user_id>/reactiver/", contacts.contact_reactivate, name="contact_reactivate"
    ),
    path("chiffres/", reports.organization_report, name="report"),
    path("chiffres/sommaire/", reports.monthly_summary, name="monthly_summary"),
    path("releve/garantie/", statements.statement_guarantee, name="statement_guarantee"),
    path("securite/", security.security, name="security"),
    path("ententes/", agreements.agreement_list, name="agreements"),
    path("ententes/<int:agreement_id>/", agreements.agreement_detail, name="agreement"),
    path(
        "ententes/<int:agreement_id>/reponse/", agreements.agreement_answer, name="agreement_answer"
    ),
    path(
        "ententes/<int:agreement_id>/versions/<int:number>/pdf/",
        agreements.agreement_document,
        name="agreement_document",
    ),
    # Training: ask for one, follow its sessions.
    path("formations/", training.training_list, name="trainings"),
    path("formations/nouvelle/", training.training_new, name="training_new"),
    path("formations/<int:training_id>/", training.training_detail, name="training"),
    path("seances/<int:session_id>/accepter/", training.session_accept, name="session_accept"),
    path(
        "seances/<int:session_id>/autre-date/",
        training.session_another_date,
        name="session_another_date",
    ),
    path(
        "seances/<int:session_id>/invitation.ics",
        training.session_invitation,
        name="session_invitation",
    ),
    path("infolettre/", newsletter.newsletter, name="newsletter"),
    path("infolettre/abonnement/", newsletter.subscribe, name="newsletter_subscribe"),
    path("infolettre/preferences/", newsletter.preferences, name="newsletter_preferences"),
    path("infolettre/desabonnement/", newsletter.unsubscribe, name="newsletter_unsubscribe"),
    # Law 25: my personal information.
    path("mes-renseignements/", privacy.my_information, name="privacy"),
    path("mes-renseignements/export/", privacy.my_export, name="privacy_export"),
    path(
        "mes-renseignements/<int:export_id>/",
        privacy.my_export_download,
        name="privacy_export_download",
    ),
]
