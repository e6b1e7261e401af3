"""The staff console (/console/): every page of it, in one namespace."""

from django.urls import path

from soutien.web.console.views import (
    agenda,
    agreements,
    kb,
    mail,
    newsletter,
    notifications,
    organizations,
    people,
    plans,
    presence,
    privacy,
    queue,
    reports,
    satisfaction,
    security,
    settings,
    statements,
    tickets,
    time,
    training,
    workspace,
)

app_name = "console"

urlpatterns = [
    # Queues and requests.
    path("", queue.queue, name="queue"),
    path("securite/", security.security, name="security"),
    path("demandes/nouvelle/", tickets.ticket_new, name="ticket_new"),
    path("contacts/options/", tickets.contact_options, name="contact_options"),
    path("demandes/<int:ticket_id>/", tickets.ticket_detail, name="ticket"),
    path("demandes/<int:ticket_id>/horloge/", tickets.ticket_clock, name="ticket_clock"),
    path("demandes/<int:ticket_id>/temps/", time.time_entry_add, name="time_entry_add"),
    path("demandes/<int:ticket_id>/presence/", presence.ticket_presence, name="ticket_presence"),
    # One view per action on a request.
    path("demandes/<int:ticket_id>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("demandes/<int:ticket_id>/note/", tickets.ticket_note, name="ticket_note"),
    path("demandes/<int:ticket_id>/call/", tickets.ticket_call, name="ticket_call"),
    path("demandes/<int:ticket_id>/level/", tickets.ticket_level, name="ticket_level"),
    path("demandes/<int:ticket_id>/assign/", tickets.ticket_assign, name="ticket_assign"),
    path(
        "demandes/<int:ticket_id>/assign_auto/",
        tickets.ticket_assign_auto,
        name="ticket_assign_auto",
    ),
    path("demandes/<int:ticket_id>/status/", tickets.ticket_status, name="ticket_status"),
    path("notifications/", notifications.notification_list, name="notifications"),
    # Managers' reports.
    path("rapports/", reports.report_page, name="reports"),
    path("rapports/<slug:page>/", reports.report_page, name="report"),
    path("rapports/<slug:page>/rapport.pdf", reports.report_pdf, name="report_pdf"),
    path("rapports/<slug:page>/<slug:table>.csv", reports.report_csv, name="report_csv"),
    path("avis/<int:rating_id>/suivi/", satisfaction.rating_follow_up, name="rating_follow_up"),
    path(
        "garanties/<int:guarantee_id>/decision/",
        satisfaction.guarantee_decide,
        name="guarantee_decide",
    ),
    # Development agreements on level-3 requests.
    path("demandes/<int:ticket_id>/entente/", agreements.agreement_new, name="agreement_new"),
    path("ententes/", agreements.agreement_list, name="agreements"),
    path("ententes/reglages/", agreements.agreement_settings, name="agreement_settings"),
    path("ententes/delegues/", agreements.delegate_add, name="agreement_delegate_add"),
    path(
        "ententes/delegues/<int:delegate_id>/revoquer/",
        agreements.delegate_revoke,
        name="agreement_delegate_revoke",
    ),
    path("ententes/<int:agreement_id>/", agreements.agreement_detail, name="agreement"),
    path("ententes/<int:agreement_id>/modifier/", agreements.agreement_edit, name="agreement_edit"),
    path(
        "ententes/<int:agreement_id>/etape/",
        agreements.agreement_transition,
        name="agreement_transition",
    ),
    path(
        "ententes/<int:agreement_id>/jalons/<int:milestone_id>/fait/",
        agreements.milestone_done,
        name="agreement_milestone_done",
    ),
    path(
        "ententes/<int:agreement_id>/versions/<int:number>/pdf/",
        agreements.agreement_document,
        name="agreement_document",
    ),
    # Time entries.
    path(
        "temps/<int:entry_id>/supprimer/",
        time.time_entry_delete,
        name="time_entry_delete",
    ),
    # Organizations, their contracts, hour banks and statements.
    path("organisations/", organizations.organization_list, name="organizations"),
    path("organisations/nouvelle/", organizations.organization_add, name="organization_add"),
    path(
        "organisations/<int:organization_id>/",
        organizations.organization_detail,
        name="organization",
    ),
    path(
        "organisations/<int:organization_id>/nom/",
        organizations.organization_rename_view,
        name="organization_rename",
    ),
    path(
        "organisations/<int:organization_id>/contrats/",
        organizations.contract_add,
        name="contract_add",
    ),
    path(
        "organisations/<int:organization_id>/forfaits/",
        organizations.subscription_add,
        name="subscription_add",
    ),
    path(
        "organisations/<int:organization_id>/releve/",
        statements.statement,
        name="statement",
    ),
    # People: contacts, invitations, deactivation.
    path(
        "organisations/<int:organization_id>/contacts/",
        people.contact_add,
        name="contact_add",
    ),
    path("personnes/<int:user_id>/invitation/", people.user_invite, name="user_invite"),
    path("personnes/<int:user_id>/desactiver/", people.user_deactivate, name="user_deactivate"),
    path("personnes/<int:user_id>/reactiver/", people.user_reactivate, name="user_reactivate"),
    path("banques/<int:bank_id>/", organizations.bank_detail, name="bank"),
    path("depassements/", organizations.overage, name="overage"),
    # Settings: plans, service calendars and their closures, the published policy.
    path("reglages/forfaits/", plans.plan_list, name="plans"),
    path("reglages/forfaits/nouveau/", plans.plan_edit, name="plan_new"),
    path("reglages/forfaits/<int:plan_id>/", plans.plan_edit, name="plan"),
    path("reglages/calendriers/", settings.calendar_list, name="calendars"),
    path("reglages/calendriers/nouveau/", settings.calendar_edit, name="calendar_new"),
    path("reglages/calendriers/<int:calendar_id>/", settings.calendar_edit, name="calendar"),
    path(
        "reglages/calendriers/<int:calendar_id>/fermetures/",
        settings.closure_add,
        name="closure_add",
    ),
    path(
        "reglages/calendriers/<int:calendar_id>/fermetures/<int:closure_id>/retirer/",
        settings.closure_remove,
        name="closure_remove",
    ),
    path("reglages/politique/", settings.policy, name="policy"),
    path("reglages/confidentialite/", people.privacy_officer_edit, name="privacy_officer"),
    # The knowledge base.
    path("aide/", kb.article_list, name="kb_articles"),
    path("aide/chiffres/", kb.figures, name="kb_figures"),
    path("aide/articles/nouveau/", kb.article_edit, name="kb_article_new"),
    path("aide/articles/<int:article_id>/", kb.article_edit, name="kb_article"),
    path("aide/articles/<int:article_id>/revisions/<int:number>/", kb.revision, name="kb_revision"),
    path("aide/articles/<int:article_id>/texte/", kb.article_text, name="kb_article_text"),
    # One view per action on an article.
    path(
        "aide/articles/<int:article_id>/unpublish/",
        kb.article_unpublish,
        name="kb_article_unpublish",
    ),
    path(
        "aide/articles/<int:article_id>/translate/",
        kb.article_translate,
        name="kb_article_translate",
    ),
    path("aide/articles/<int:article_id>/link/", kb.article_link, name="kb_article_link"),
    path("aide/articles/<int:article_id>/image/", kb.article_image, name="kb_article_image"),
    path("aide/articles/<int:article_id>/delete/", kb.article_delete, name="kb_article_delete"),
    path("aide/categories/", kb.categories, name="kb_categories"),
    path("aide/categories/<int:category_id>/", kb.categories, name="kb_category"),
    path("aide/coordonnees/", kb.support_contact, name="kb_support"),
    path("aide/panneau/", kb.panel_search, name="kb_panel"),
    path("aide/faq-depuis-reponse/<int:message_id>/", kb.faq_from_reply, name="kb_faq_from_reply"),
    # Mail and fax.
    path("courriel/", mail.mailbox_list, name="mailboxes"),
    path("courriel/boites/nouvelle/", mail.mailbox_edit, name="mailbox_new"),
    path("courriel/boites/<int:mailbox_id>/", mail.mailbox_detail, name="mailbox"),
    path("courriel/boites/<int:mailbox_id>/modifier/", mail.mailbox_edit, name="mailbox_edit"),
    path("courriel/boites/<int:mailbox_id>/tester/", mail.mailbox_test, name="mailbox_test"),
    path("courriel/boites/<int:mailbox_id>/relever/", mail.mailbox_poll, name="mailbox_poll"),
    path("courriel/recus/<int:email_id>/", mail.email_detail, name="email"),
    path("courriel/recus/<int:email_id>/html/", mail.email_html, name="email_html"),
    path("courriel/recus/<int:email_id>/brut/", mail.email_raw, name="email_raw"),
    path("courriel/recus/<int:email_id>/reessayer/", mail.email_retry, name="email_retry"),
    path("courriel/copies/<int:copy_id>/reessayer/", mail.copy_retry, name="copy_retry"),
    path("courriel/envois/", mail.outbound_list, name="outbound"),
    path("courriel/envois/<int:email_id>/renvoyer/", mail.outbound_retry, name="outbound_retry"),
    path("courriel/demandes/<int:ticket_id>/", mail.ticket_emails, name="ticket_emails"),
    path("telecopies/nouvelle/", mail.fax_new, name="fax_new"),
    # Training requests, sessions and teleconferences.
    path("formations/", training.training_list, name="trainings"),
    path("formations/nouvelle/", training.training_new, name="training_new"),
    path("formations/<int:training_id>/", training.training_detail, name="training"),
    path("formations/<int:training_id>/creneaux/", training.training_slots, name="training_slots"),
    path("formations/<int:training_id>/details/", training.training_update, name="training_update"),
    path(
        "formations/<int:training_id>/seances/", training.session_schedule, name="session_schedule"
    ),
    path(
        "demandes/<int:ticket_id>/teleconference/",
        training.teleconference_new,
        name="teleconference_new",
    ),
    path("seances/<int:session_id>/", training.session_detail, name="session"),
    path("seances/<int:session_id>/deplacer/", training.session_move, name="session_move"),
    path("seances/<int:session_id>/annuler/", training.session_cancel, name="session_cancel"),
    path("seances/<int:session_id>/tenue/", training.session_held, name="session_held"),
    path("seances/<int:session_id>/absence/", training.session_no_show, name="session_no_show"),
    path(
        "seances/<int:session_id>/invitation.ics",
        training.session_invitation,
        name="session_invitation",
    ),
    # The week of a trainer, technician or room; time off; private calendar feeds; rooms.
    path("agenda/", agenda.agenda, name="agenda"),
    path("agenda/conges/", agenda.time_off_add, name="time_off_add"),
    path(
        "agenda/conges/<int:time_off_id>/retirer/", agenda.time_off_delete, name="time_off_delete"
    ),
    path("agenda/heures/", agenda.work_calendar_set, name="work_calendar_set"),
    path("agenda/flux/", agenda.feed_create, name="feed_create"),
    path("agenda/flux/<int:feed_id>/revoquer/", agenda.feed_revoke, name="feed_revoke"),
    path("salles/", agenda.room_list, name="rooms"),
    path("salles/nouvelle/", agenda.room_edit, name="room_new"),
    path("salles/<int:room_id>/", agenda.room_edit, name="room"),
    # The newsletter.
    path("infolettre/", newsletter.home, name="newsletter"),
    path("infolettre/brouillon/", newsletter.draft, name="newsletter_draft"),
    path("infolettre/numeros/<int:issue_id>/", newsletter.issue_detail, name="newsletter_issue"),
    path(
        "infolettre/numeros/<int:issue_id>/progression/",
        newsletter.issue_progress,
        name="newsletter_issue_progress",
    ),
    path(
        "infolettre/numeros/<int:issue_id>/apercu/<str:language>/",
        newsletter.issue_preview,
        name="newsletter_issue_preview",
    ),
    path(
        "infolettre/numeros/<int:issue_id>/test/",
        newsletter.issue_test,
        name="newsletter_issue_test",
    ),
    path(
        "infolettre/numeros/<int:issue_id>/planifier/",
        newsletter.issue_schedule,
        name="newsletter_issue_schedule",
    ),
    path(
        "infolettre/numeros/<int:issue_id>/deplanifier/",
        newsletter.issue_unschedule,
        name="newsletter_issue_unschedule",
    ),
    path(
        "infolettre/numeros/<int:issue_id>/envoyer/",
        newsletter.issue_send,
        name="newsletter_issue_send",
    ),
    path(
        "infolettre/numeros/<int:issue_id>/image/",
        newsletter.issue_image,
        name="newsletter_issue_image",
    ),
    path("infolettre/abonnes/", newsletter.subscriber_list, name="newsletter_subscribers"),
    path(
        "infolettre/abonnes/nouveau/", newsletter.subscriber_add, name="newsletter_subscriber_add"
    ),
    path(
        "infolettre/abonnes/<int:subscriber_id>/",
        newsletter.subscriber_detail,
        name="newsletter_subscriber",
    ),
    path(
        "infolettre/abonnes/<int:subscriber_id>/desabonner/",
        newsletter.subscriber_unsubscribe,
        name="newsletter_subscriber_unsubscribe",
    ),
    path(
        "infolettre/abonnes/<int:subscriber_id>/tacite/",
        newsletter.subscriber_implied,
        name="newsletter_subscriber_implied",
    ),
    path("infolettre/problemes/", newsletter.problems, name="newsletter_problems"),
    path(
        "infolettre/problemes/demandes/<int:ticket_id>/",
        newsletter.problem_mark,
        name="newsletter_problem_mark",
    ),
    path(
        "infolettre/problemes/<int:problem_id>/retirer/",
        newsletter.problem_unmark,
        name="newsletter_problem_unmark",
    ),
    path("infolettre/reglages/", newsletter.settings, name="newsletter_settings"),
    path(
        "infolettre/reglages/textes/",
        newsletter.consent_text_add,
        name="newsletter_consent_text_add",
    ),
    path("infolettre/reglages/exclusions/", newsletter.suppress, name="newsletter_suppress"),
    path(
        "infolettre/reglages/exclusions/<int:suppression_id>/retirer/",
        newsletter.unsuppress,
        name="newsletter_unsuppress",
    ),
    # Law 25: a person's record, exports, retention, the register of incidents.
    path("personnes/<int:user_id>/", privacy.person, name="person"),
    path("personnes/<int:user_id>/export/", privacy.person_export, name="person_export"),
    path(
        "confidentialite/exports/<int:export_id>/",
        privacy.export_download,
        name="privacy_export_download",
    ),
    path("confidentialite/", privacy.home, name="privacy"),
    path("confidentialite/conservation/", privacy.rule_save, name="privacy_rule_save"),
    path("confidentialite/application/", privacy.retention_run, name="privacy_run"),
    path("confidentialite/incidents/", privacy.incident_list, name="privacy_incidents"),
    path("confidentialite/incidents/nouveau/", privacy.incident_edit, name="privacy_incident_new"),
    path(
        "confidentialite/incidents/<int:incident_id>/",
        privacy.incident_edit,
        name="privacy_incident",
    ),
    # The technician's workspace: search, saved views, bulk actions, merge, links, macros.
    path("recherche/", workspace.search, name="search"),
    path("recherche/lot/", workspace.bulk_action, name="bulk"),
    path("vues/enregistrer/", workspace.view_save, name="view_save"),
    path("vues/<int:view_id>/supprimer/", workspace.view_delete, name="view_delete"),
    path("demandes/<int:ticket_id>/suivante/", workspace.ticket_next, name="ticket_next"),
    path("demandes/<int:ticket_id>/fusionner/", workspace.ticket_merge, name="ticket_merge"),
    path("demandes/<int:ticket_id>/lier/", workspace.ticket_link, name="ticket_link"),
    path("demandes/<int:ticket_id>/reponse-type/", workspace.ticket_macro, name="ticket_macro"),
    path("reponses-types/", workspace.macros, name="macros"),
    path("reponses-types/<int:macro_id>/supprimer/", workspace.macro_delete, name="macro_delete"),
]
