"""Demo data: a small vendor's support desk with clients, staff and requests in every state."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from soutien.accounts import access
from soutien.accounts.models import ClientRole, User
from soutien.accounts.privacy_officer import officer_save
from soutien.accounts.services import contact_create, organization_create, staff_create
from soutien.agreements.models import Agreement, Payment
from soutien.agreements.services import (
    MilestoneInput,
    agreement_create,
    agreement_transition,
    milestone_mark_done,
)
from soutien.contracts.models import HourBank, Plan, Service
from soutien.contracts.services import (
    contract_create,
    plan_save,
    subscription_create,
    time_entry_create,
)
from soutien.kb.services import article_save, support_contact_save
from soutien.newsletter import issues
from soutien.newsletter import services as newsletter
from soutien.people import services as invitations
from soutien.privacy import services as privacy
from soutien.privacy.models import RetentionRun
from soutien.satisfaction.services import guarantee_decide, guarantee_invoke, rating_record
from soutien.sla.models import ServiceCalendar
from soutien.ticketing import merging, services
from soutien.ticketing.models import CallDirection, Channel, MessageKind, Status, Ticket
from soutien.training import services as training
from soutien.workspace import services as workspace

DEMO_PASSWORD = "demo"  # noqa: S105 (printed to the user; only for the demo)

STAFF = [
    # username, full name, levels, manager, dev lead, trainer, admin, language
    ("admin", "Alex Administrateur", (), False, False, False, True, "fr"),
    ("gestion", "Geneviève Gestion", (), True, False, False, False, "fr"),
    ("tech1", "Théo Premier", (1,), False, False, False, False, "fr"),
    ("tech2", "Tina Second", (1, 2), False, False, True, False, "en"),
    ("tech3", "Thomas Troisième", (2, 3), False, False, False, False, "fr"),
    ("devlead", "Diane Développement", (3,), False, True, False, False, "fr"),
    ("formation", "Florence Formation", (), False, False, True, False, "fr"),
]

ORGANIZATIONS = [
    # name, language, contacts: (username, email, full name, role, language)
    (
        "Ville de Saint-Laurent",
        "fr",
        [
            (
                "julie",
                "julie@ville-st-laurent.example",
                "Julie Tremblay",
                ClientRole.CLIENT_ADMIN,
                "fr",
            ),
            ("marc", "marc@ville-st-laurent.example", "Marc Gagnon", ClientRole.CONTACT, "fr"),
        ],
    ),
    (
        "Maple Health Inc.",
        "en",
        [
            ("sarah", "sarah@maplehealth.example", "Sarah Miller", ClientRole.CLIENT_ADMIN, "en"),
            ("john", "john@maplehealth.example", "John Carter", ClientRole.CONTACT, "en"),
        ],
    ),
    (
        "Éditions Boréal",
        "fr",
        [
            ("luc", "luc@boreal.example", "Luc Bouchard", ClientRole.CLIENT_ADMIN, "fr"),
        ],
    ),
]

ROLES = {
    "admin": "administrator",
    "gestion": "support manager",
    "tech1": "technician, level 1",
    "tech2": "technician, levels 1-2, trainer",
    "tech3": "technician, levels 2-3",
    "devlead": "development lead, level 3",
    "formation": "trainer",
    "julie": "client administrator, Ville de Saint-Laurent",
    "marc": "client contact, Ville de Saint-Laurent",
    "sarah": "client administrator, Maple Health",
    "john": "client contact, Maple Health",
    "luc": "client administrator, Éditions Boréal",
}


def demo_logins() -> list[tuple[str, str]]:
    return list(ROLES.items())


@transaction.atomic
def load_demo() -> list[tuple[str, str]]:
    """Create the demo once; running it again changes nothing."""
    if User.objects.filter(username="gestion").exists():
        return demo_logins()
    staff = {}
    for username, name, levels, is_manager, lead, trainer, admin, language in STAFF:
        staff[username] = staff_create(
            username=username,
            email=f"{username}@soutien.example",
            full_name=name,
            password=DEMO_PASSWORD,
            levels=levels,
            support_manager=is_manager,
            development_lead=lead,
            trainer=trainer,
            administrator=admin,
            language=language,
        )
    # Managers and administrators must sign in with a second factor; the demo's may skip it so
    # anyone can try the desk with the password alone (docs/security.md, "Sign-in").
    User.objects.filter(pk__in=[u.pk for u in staff.values()]).update(second_factor_exempt=True)
    manager = staff["gestion"]
    manager.second_factor_exempt = True
    contacts: dict[str, User] = {}
    for org_name, language, people in ORGANIZATIONS:
        organization = organization_create(actor=manager, name=org_name, language=language)
        for username, email, full_name, role, person_language in people:
            contact = contact_create(
                actor=manager,
                organization=organization,
                email=email,
                name=full_name,
                language=person_language,
                role=role,
                password=DEMO_PASSWORD,
            )
            contact.username = username
            contact.save(update_fields=["username"])
            contacts[username] = contact
    _banks(manager, contacts)
    _requests(staff, contacts)
    _agreements(staff, contacts)
    _knowledge_base(staff["tech2"], manager)
    _training(staff, contacts)
    _newsletter(staff, contacts)
    _access(staff, contacts)
    _privacy(staff, contacts)
    _workspace(staff, contacts)
    return demo_logins()


def _access(staff: dict[str, User], contacts: dict[str, User]) -> None:
    """Law 25's person in charge; a colleague Julie invited (link pending); one who left."""
    officer_save(
        actor=staff["gestion"],
        name="Claire Dubé",
        title="Responsable de la protection des renseignements personnels",
        email="vie-privee@soutien.example",
        postal_address="1200, rue Sherbrooke Ouest, bureau 400\nMontréal (Québec) H3A 1H6",
        phone="514 555-0199",
    )
    julie = contacts["julie"]
    assert julie.organization is not None
    invitations.contact_create(
        actor=julie,
        organization=julie.organization,
        email="emilie@ville-st-laurent.example",
        name="Émilie Roy",
        invite=True,
    )
    sarah = contacts["sarah"]
    assert sarah.organization is not None
    former = invitations.contact_create(
        actor=sarah,
        organization=sarah.organization,
        email="paul@maplehealth.example",
        name="Paul Former",
        language="en",
    )
    access.user_deactivate(actor=sarah, user=former)


def _banks(manager: User, contacts: dict[str, User]) -> None:
    """A contract for every organization, and a plan on top for two of them."""
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    for username, reference, minutes in (
        ("julie", "LIC-2026-001", 1200),
        ("sarah", "LIC-2026-002", 600),
        ("luc", "LIC-2026-003", 300),
    ):
        organization = contacts[username].organization
        assert organization is not None
        contract_create(
            actor=manager,
            organization=organization,
            reference=reference,
            starts_on=year_start,
            ends_on=year_start.replace(year=year_start.year + 1) - timedelta(days=1),
            included_minutes=minutes,
        )
    for username, code in (("julie", "base-plus"), ("sarah", "base-extra")):
        organization = contacts[username].organization
        assert organization is not None
        subscription_create(
            actor=manager,
            organization=organization,
            plan=Plan.objects.get(code=code),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=335),
        )


ARTICLES = [
    # kind, French title, English title, error codes, French body, English body
    (
        "troubleshooting",
        "Erreur 5021 : veuillez contacter le soutien technique",
        "Error 5021: please contact technical support",
        "Erreur 5021\nError 5021",
        "Ce message apparaît quand la session de publication a expiré.\n\n"
        "1. Enregistrez votre texte ailleurs.\n2. Déconnectez-vous puis reconnectez-vous.\n"
        "3. Publiez de nouveau.\n\nSi le message revient, joignez l'heure exacte à votre demande.",
        "This message appears when the publishing session has expired.\n\n"
        "1. Save your text elsewhere.\n2. Sign out and sign in again.\n3. Publish again.\n\n"
        "If it comes back, give the exact time in your request.",
    ),
    (
        "faq",
        "Pourquoi la mise en page est-elle décalée dans Firefox?",
        "Why is the layout shifted in Firefox?",
        "",
        "Le cache du navigateur garde une ancienne feuille de style. Videz le cache "
        "(Ctrl+Maj+Suppr) et rechargez la page.",
        "The browser cache keeps an old style sheet. Clear the cache (Ctrl+Shift+Del) and "
        "reload the page.",
    ),
    (
        "documentation",
        "Équilibrage de charge entre plusieurs serveurs",
        "Load balancing between several servers",
        "",
        "Activez l'affinité de session sur le répartiteur et partagez le répertoire des "
        "sessions entre les serveurs.",
        "Turn on session affinity on the load balancer and share the sessions directory between "
        "the servers.",
    ),
    (
        "faq",
        "Le dépôt d'un document échoue (code 413)",
        "Document upload fails (code 413)",
        "code 413",
        "Le fichier dépasse la taille permise par le serveur Web. Réduisez le fichier ou "
        "demandez à votre administrateur d'augmenter la limite.",
        "The file is larger than the web server allows. Make it smaller or ask your "
        "administrator to raise the limit.",
    ),
]


def _knowledge_base(author: User, manager: User) -> None:
    """A few published articles in French and English, and the support coordinates."""
    for kind, title_fr, title_en, codes, body_fr, body_en in ARTICLES:
        french = article_save(
            actor=author,
            title=title_fr,
            body=body_fr,
            language="fr",
            kind=kind,
            error_codes=codes,
            publish=True,
        )
        article_save(
            actor=author,
            title=title_en,
            body=body_en,
            language="en",
            kind=kind,
            error_codes=codes,
            group=french.group,
            publish=True,
        )
    support_contact_save(
        actor=manager,
        phone="514 555-0100",
        email="soutien@editeur.example",
        fax="514 555-0199",
        address="1000, rue Sherbrooke Ouest, Montréal (Québec)",
    )


def _agreements(staff: dict[str, User], contacts: dict[str, User]) -> None:
    """Development agreements: one in production (a milestone late), one to approve, one sent."""
    manager, tech3, lead = staff["gestion"], staff["tech3"], staff["devlead"]
    julie, sarah, luc = contacts["julie"], contacts["sarah"], contacts["luc"]
    today = timezone.localdate()

    def walk(agreement: Agreement, *steps: tuple[User, str]) -> Agreement:
        for actor, action in steps:
            agreement = agreement_transition(
                actor=actor, agreement=agreement, action=action, version=agreement.version
            )
        return agreement

    # In production for Ville de Saint-Laurent: accepted by Julie, one milestone done, one late.
    ticket = Ticket.objects.get(subject="Équilibrage de charge entre deux serveurs")
    agreement = agreement_create(
        actor=tech3,
        ticket=ticket,
        solution=(
            "Rendre les **sessions** indépendantes du serveur :\n\n"
            "1. stocker les sessions dans la base partagée plutôt qu'en mémoire ;\n"
            "2. retirer l'affinité de session du répartiteur une fois le correctif en place."
        ),
        estimate_minutes=16 * 60,
        delivery_on=today + timedelta(days=21),
        milestones=[
            MilestoneInput(
                title="Analyse des journaux du répartiteur", due_on=today - timedelta(days=3)
            ),
            MilestoneInput(title="Correctif en préproduction", due_on=today - timedelta(days=1)),
            MilestoneInput(
                title="Essais de charge avec le client", due_on=today + timedelta(days=14)
            ),
        ],
    )
    agreement = walk(
        agreement, (tech3, "propose"), (lead, "approve"), (tech3, "send"), (julie, "accept")
    )
    agreement = walk(agreement, (tech3, "start"))
    first = agreement.milestones.order_by("due_on").first()
    assert first is not None
    milestone_mark_done(actor=tech3, agreement=agreement, milestone_id=first.pk)
    time_entry_create(
        actor=tech3, ticket=ticket, started_at=timezone.now(), minutes=150, note="Analyse"
    )

    # To approve, for Maple Health, in English and quoted.
    ticket = _file(
        manager,
        sarah,
        "Secure profile synchronization anomalies",
        "Profiles edited in the directory are not synchronized until the next night.",
        Channel.EMAIL,
        50,
    )
    services.ticket_set_level(actor=manager, ticket=ticket, level=3)
    agreement = agreement_create(
        actor=tech3,
        ticket=ticket,
        solution="Synchronize secure profiles **on change**, through the directory's events.",
        estimate_minutes=24 * 60,
        delivery_on=today + timedelta(days=35),
        milestones=[MilestoneInput(title="Event listener", due_on=today + timedelta(days=14))],
        payment=Payment.QUOTED,
        quoted_amount=Decimal("4800.00"),
        language="en",
    )
    walk(agreement, (tech3, "propose"))

    # Sent to Éditions Boréal, awaiting Luc's answer in the portal.
    ticket = _file(
        manager,
        luc,
        "Exporter les brouillons vers l'ancien format",
        "Nous devons transmettre nos brouillons à un partenaire qui utilise l'ancien format.",
        Channel.WEB,
        70,
    )
    services.ticket_set_level(actor=manager, ticket=ticket, level=3)
    agreement = agreement_create(
        actor=lead,
        ticket=ticket,
        solution="Un module d'exportation vers l'ancien format, installé sur votre serveur.",
        estimate_minutes=6 * 60,
        delivery_on=today + timedelta(days=28),
        payment=Payment.QUOTED,
        quoted_minutes=6 * 60,
    )
    walk(agreement, (lead, "propose"), (lead, "approve"), (lead, "send"))


def _file(
    actor: User, contact: User, subject: str, body: str, channel: str, hours_ago: float
) -> Ticket:
    """File a request; one filed by a client arrives now, staff may date theirs in the past."""
    assert contact.organization is not None
    received_at = timezone.now() - timedelta(hours=hours_ago) if actor.is_staff_member else None
    return services.ticket_create(
        actor=actor,
        organization=contact.organization,
        contact=contact,
        subject=subject,
        body=body,
        channel=channel,
        received_at=received_at,
    )


def _requests(staff: dict[str, User], contacts: dict[str, User]) -> None:
    manager, tech1, tech2, tech3 = staff["gestion"], staff["tech1"], staff["tech2"], staff["tech3"]
    julie, marc, sarah, john, luc = (contacts[k] for k in ("julie", "marc", "sarah", "john", "luc"))

    # New, not yet triaged: one per channel.
    _file(
        marc,
        marc,
        "La mise en page de la page d'accueil est décalée",
        "Depuis ce matin, les colonnes de la page d'accueil se chevauchent sur Firefox.",
        Channel.WEB,
        0.5,
    )
    _file(
        manager,
        john,
        "Upload of PDF documents fails",
        "Uploading a 12 MB PDF ends with 'Le dépôt a échoué (code 413)'.",
        Channel.EMAIL,
        1,
    )
    _file(
        manager,
        luc,
        "Appel : perte de données après une sauvegarde",
        "M. Bouchard signale que des brouillons ont disparu après la sauvegarde de 22 h.",
        Channel.PHONE,
        2,
    )
    _file(
        manager,
        julie,
        "Télécopie : demande de formation sur les gabarits",
        "Télécopie reçue : demande d'une formation pour trois personnes.",
        Channel.FAX,
        3,
    )

    # Open, triaged and assigned, with a public reply and a note.
    t = _file(
        manager,
        sarah,
        "Published pages do not show up",
        "We followed the publishing protocol but the news items do not appear on the site.",
        Channel.WEB,
        26,
    )
    services.ticket_set_level(actor=manager, ticket=t, level=2)
    services.message_add(
        actor=tech2,
        ticket=t,
        kind=MessageKind.REPLY,
        body="Thank you, we are looking at the publication queue now.",
    )
    services.message_add(
        actor=tech2,
        ticket=t,
        kind=MessageKind.NOTE,
        body="The publication cron stopped at 03:12; check the worker logs.",
    )

    # Level 3, open, with a logged call.
    t = _file(
        manager,
        julie,
        "Équilibrage de charge entre deux serveurs",
        "Les sessions sont perdues quand le répartiteur change de serveur.",
        Channel.PHONE,
        30,
    )
    services.ticket_set_level(actor=manager, ticket=t, level=3)
    services.message_add(
        actor=tech3,
        ticket=t,
        kind=MessageKind.PHONE_CALL,
        body="Appelé Julie : on active l'affinité de session en attendant un correctif.",
        call_direction=CallDirection.OUTBOUND,
        duration_minutes=25,
        caller="Julie Tremblay",
    )
    # Sessions lost for days: Julie invoked the satisfaction guarantee and a manager granted it,
    # an hour back to the contract's bank, which the statement shows with the note.
    guarantee = guarantee_invoke(
        actor=julie,
        ticket=t,
        reason="Nos usagers perdent leur session depuis quatre jours : c'est bloquant.",
    )
    assert julie.organization is not None
    guarantee_decide(
        actor=manager,
        guarantee=guarantee,
        grant=True,
        note="Garantie accordée : une heure rendue à votre banque, le temps du contournement.",
        bank=HourBank.objects.get(organization=julie.organization, source=HourBank.Source.CONTRACT),
        credit_minutes=60,
    )

    # Waiting on the client.
    t = _file(
        manager,
        marc,
        "Message d'erreur : veuillez contacter le soutien technique",
        "Le message « Erreur 5021 : veuillez contacter le soutien technique » apparaît"
        " à l'enregistrement.",
        Channel.WEB,
        50,
    )
    services.ticket_set_level(actor=manager, ticket=t, level=2)
    services.message_add(
        actor=tech3,
        ticket=t,
        kind=MessageKind.REPLY,
        body="Pouvez-vous nous envoyer une capture d'écran et l'heure exacte de l'erreur?",
    )
    services.ticket_change_status(actor=tech3, ticket=t, status=Status.WAITING)

    # Resolved recently (a client reply would reopen it).
    t = _file(
        manager,
        john,
        "Display glitch in the editor toolbar",
        "Icons overlap in the editor toolbar at 125 % zoom.",
        Channel.WEB,
        72,
    )
    services.ticket_set_level(actor=manager, ticket=t, level=1)
    services.message_add(
        actor=tech1,
        ticket=t,
        kind=MessageKind.REPLY,
        body="Clearing the browser cache fixes it; a permanent fix ships next week.",
    )
    services.ticket_change_status(actor=tech1, ticket=t, status=Status.RESOLVED)
    # John liked the answer: one click in the resolution email.
    rating_record(ticket=t, value="good", actor=None, via="email")

    # Closed.
    t = _file(
        manager,
        luc,
        "Synchronisation des profils sécurisés",
        "Les profils sécurisés ne se synchronisent plus avec l'annuaire.",
        Channel.EMAIL,
        200,
    )
    services.ticket_set_level(actor=manager, ticket=t, level=3)
    services.message_add(
        actor=staff["devlead"],
        ticket=t,
        kind=MessageKind.REPLY,
        body="Le connecteur d'annuaire a été corrigé dans la version 4.2.1.",
    )
    services.ticket_change_status(actor=manager, ticket=t, status=Status.CLOSED)
    # Luc did not: a follow-up waits for a manager (Reports, Satisfaction).
    rating_record(
        ticket=t,
        value="bad",
        comment="Trois semaines sans synchronisation avant le correctif : c'est trop long.",
        actor=luc,
        via="portal",
    )
    # ... and invokes the satisfaction guarantee: a manager decides by a level-2 response time.
    guarantee_invoke(
        actor=luc,
        ticket=t,
        reason="Trois semaines sans synchronisation : nous demandons un crédit de ces heures.",
    )

    # A level-1 request in the queue, not yet answered.
    t = _file(
        manager,
        julie,
        "Dépôt de documents impossible",
        "Le bouton « Déposer » reste grisé pour les fichiers Word.",
        Channel.WEB,
        4,
    )
    services.ticket_set_level(actor=tech1, ticket=t, level=1)


def _newsletter(staff: dict[str, User], contacts: dict[str, User]) -> None:
    """The sender's identification, a consent text, readers in every state of consent, last
    month's issue on its way (the worker sends it to var/sent-mail/) and this month's draft."""
    manager, tech2 = staff["gestion"], staff["tech2"]
    newsletter.settings_save(
        actor=manager,
        sender_name="Éditeur démo — Soutien technique",
        postal_address="1000, rue Sherbrooke Ouest\nMontréal (Québec) H3A 0A1",
        reach="soutien@editeur.example · 514 555-0100",
    )
    newsletter.consent_text_add(
        actor=manager,
        version=f"{timezone.localdate():%Y-%m}",
        text_fr="J'accepte de recevoir l'infolettre technique mensuelle de l'Éditeur démo. "
        "Je peux me désabonner en tout temps depuis chaque numéro.",
        text_en="I agree to receive the Demo Publisher's monthly technical newsletter. "
        "I can unsubscribe at any time from any issue.",
    )
    julie, sarah, marc, john = (contacts[k] for k in ("julie", "sarah", "marc", "john"))
    newsletter.subscribe(actor=julie, email=julie.email, language="fr", source="portal")
    newsletter.subscribe(actor=tech2, email=sarah.email, language="en", source="console")
    newsletter.subscribe(actor=manager, email=marc.email, kind="implied", source="contract")
    newsletter.subscribe(actor=None, email="curieuse@exemple.org", source="public_form")
    gone, _event = newsletter.subscribe(actor=tech2, email="ancien@exemple.org", source="console")
    newsletter.unsubscribe(subscriber=gone, source="link")
    newsletter.subscribe(actor=tech2, email=john.email, language="en", source="console")
    newsletter.suppress(actor=manager, email=john.email, detail="550 5.1.1 (démo)")
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    sent = issues.issue_create(
        actor=manager,
        month=last_month,
        from_knowledge_base=True,
        intro_fr="Bonjour! Voici les nouveautés techniques du mois.",
        intro_en="Hello! Here is the month's technical news.",
    )
    issues.issue_send(actor=manager, issue=sent)
    t = _file(
        manager,
        sarah,
        "News items vanish after publishing",
        "Published news items disappear from the home page after a few minutes.",
        Channel.WEB,
        100,
    )
    services.ticket_set_level(actor=manager, ticket=t, level=2)
    services.message_add(
        actor=tech2,
        ticket=t,
        kind=MessageKind.REPLY,
        body="The page cache kept an old copy; version 4.2.2 refreshes it on publication.",
    )
    t = services.ticket_change_status(actor=tech2, ticket=t, status=Status.RESOLVED)
    issues.problem_mark(
        actor=manager,
        ticket=t,
        title_fr="Les nouvelles publiées disparaissaient de l'accueil",
        title_en="Published news vanished from the home page",
        summary_fr="Le cache des pages gardait une ancienne copie. La version 4.2.2 le "
        "rafraîchit à chaque publication.",
        summary_en="The page cache kept an old copy. Version 4.2.2 refreshes it on every "
        "publication.",
    )
    issues.issue_create(
        actor=manager,
        from_knowledge_base=True,
        intro_fr="Bonjour! Les articles du mois et un problème résolu à connaître.",
        intro_en="Hello! This month's articles and a solved problem worth knowing.",
    )


def _next_weekday(weekday: int, hour: int, minute: int = 0, weeks: int = 0) -> datetime:
    """The coming `weekday` (0 = Monday; not today) at `hour`, `weeks` weeks later, local time."""
    today = timezone.localdate()
    ahead = (weekday - today.weekday() - 1) % 7 + 1 + 7 * weeks
    day = today + timedelta(days=ahead)
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def _training(staff: dict[str, User], contacts: dict[str, User]) -> None:
    """Rooms, a plan that includes training and teleconference, training requests in every
    state (to schedule, proposed, confirmed over two half-days, remote), a teleconference."""
    manager, trainer, tina, tech3 = (staff[k] for k in ("gestion", "formation", "tech2", "tech3"))
    julie, sarah, luc = (contacts[k] for k in ("julie", "sarah", "luc"))
    today = timezone.localdate()
    plan = plan_save(
        actor=manager,
        code="personnalise",
        name_fr="Support personnalisé",
        name_en="Custom support",
        minutes=1200,
        calendar=ServiceCalendar.objects.get(name="Heures normales de service"),
        services=[s.value for s in Service],
    )
    assert luc.organization is not None
    subscription_create(
        actor=manager,
        organization=luc.organization,
        plan=plan,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=355),
    )
    laurentides = training.room_save(
        actor=manager,
        name="Salle Laurentides",
        capacity=12,
        equipment=["projecteur", "12 postes"],
        address="2000, boul. Saint-Martin Ouest, Laval",
    )
    training.room_save(actor=manager, name="Salle Outaouais", capacity=6, equipment=["écran"])
    friday = _next_weekday(4, 0, weeks=1)
    training.time_off_add(
        actor=manager, person=trainer, starts_at=friday, ends_at=friday + timedelta(days=1),
        reason="Congé",
    )  # fmt: skip

    # Éditions Boréal: two half-days in our rooms, drawn from its custom plan.
    tuesday = _next_weekday(1, 9)
    internals = training.training_request_create(
        actor=luc, organization=luc.organization, contact=luc, subject="internals",
        place="vendor", language="fr",
        attendees=[training.Attendee(name) for name in ("Luc Bouchard", "Anne Côté", "Paul Roy")],
        attendee_count=5,
        preferred=[training.Period(tuesday - timedelta(hours=9), tuesday + timedelta(days=3))],
    )  # fmt: skip
    first = training.session_schedule(
        actor=trainer, training=internals, trainer=trainer, room=laurentides,
        starts_at=tuesday, ends_at=tuesday + timedelta(hours=3), override=True,
    )  # fmt: skip
    training.session_confirm(actor=luc, session=first)
    thursday = _next_weekday(3, 13)
    training.session_schedule(
        actor=trainer, training=internals, trainer=trainer, room=laurentides,
        starts_at=thursday, ends_at=thursday + timedelta(hours=3), override=True,
    )  # fmt: skip

    # Maple Health: remote, in English, billable (its plans do not include training).
    assert sarah.organization is not None
    basics = training.training_request_create(
        actor=sarah, organization=sarah.organization, contact=sarah, subject="basics",
        place="remote", language="en", attendees=[training.Attendee("Sarah Miller")],
        attendee_count=4,
    )  # fmt: skip
    wednesday = _next_weekday(2, 13, 30)
    training.session_schedule(
        actor=tina, training=basics, trainer=tina, starts_at=wednesday,
        ends_at=wednesday + timedelta(hours=2), join_url="https://meet.example/maple-basics",
        override=True, confirmed=True,
    )  # fmt: skip

    # Ville de Saint-Laurent: asked by email, still to be scheduled.
    assert julie.organization is not None
    training.training_request_create(
        actor=julie, organization=julie.organization, contact=julie, subject="other",
        subject_detail="Former nos nouveaux rédacteurs à la publication des actualités.",
        place="", language="fr", channel=Channel.EMAIL, intake=True,
        title="Formation pour les nouveaux rédacteurs",
    )  # fmt: skip

    # A teleconference on a request of Éditions Boréal (its plan includes it).
    ticket = _file(
        manager, luc, "Configurer le répartiteur de charge",
        "Pouvons-nous revoir ensemble la configuration du répartiteur?", Channel.PHONE, 1,
    )  # fmt: skip
    training.teleconference_schedule(
        actor=tech3, ticket=ticket, starts_at=_next_weekday(0, 10), minutes=45,
        bridge="1 855 555-0199, code 4242", override=True,
    )  # fmt: skip


# Retention of personal information (Law 25): days kept, then what happens.
RETENTION = {
    "raw_emails": (365, "anonymize"),
    "attachments": (730, "delete"),
    "closed_requests": (7 * 365, "anonymize"),
    "sign_in_log": (90, "delete"),
    "search_log": (365, "delete"),
    "sent_emails": (730, "anonymize"),
    "access_log": (3 * 365, "delete"),
    "notices": (365, "delete"),
    "exports": (30, "delete"),
    "incidents": (6 * 366, "delete"),
}


def _privacy(staff: dict[str, User], contacts: dict[str, User]) -> None:
    """Retention rules and a dry run of them, one incident in the register, one export delivered."""
    manager = staff["gestion"]
    for kind, (days, action) in RETENTION.items():
        privacy.rule_set(actor=manager, kind=kind, days=days, action=action)
    privacy.retention_run(actor=manager, trigger=RetentionRun.Trigger.CONSOLE, dry_run=True)
    today = timezone.localdate()
    privacy.incident_create(
        actor=manager,
        fields=privacy.IncidentFields(
            occurred_on=today - timedelta(days=12),
            discovered_on=today - timedelta(days=11),
            nature="Relevé d'heures de la Ville de Saint-Laurent envoyé par erreur à Éditions "
            "Boréal (mauvais destinataire choisi dans la liste).",
            information="Nom et courriel de deux contacts, heures consommées, objets de demandes.",
            people="Contacts de la Ville de Saint-Laurent",
            people_count=2,
            risk="low",
            risk_assessment="Renseignements peu sensibles; le destinataire, un client lié par "
            "contrat, a confirmé la suppression le jour même.",
            people_notified_on=today - timedelta(days=10),
            measures="Confirmation écrite de la suppression; la liste des destinataires demande "
            "désormais une confirmation.",
        ),
    )
    export = privacy.export_request(actor=manager, person=contacts["marc"])
    privacy.export_download(actor=manager, export=export)


def _workspace(staff: dict[str, User], contacts: dict[str, User]) -> None:
    """The technicians' workspace: a shared view, two macros, a linked pair, a merged duplicate."""
    manager, tech1 = staff["gestion"], staff["tech1"]
    marc, sarah = contacts["marc"], contacts["sarah"]
    workspace.view_save(
        actor=manager,
        name="Niveau 1 en retard ou à risque",
        params={"level": "1", "status": "new,open", "sla": "at_risk"},
        shared=True,
    )
    workspace.view_save(actor=tech1, name="Mes demandes", params={"assignee": "me"})
    workspace.macro_save(
        actor=manager,
        name="Accusé de prise en charge",
        body_fr="Bonjour {contact},\n\nNous avons bien reçu votre demande no {number}. "
        "{technician} s'en occupe et vous répondra au plus tard le {due}.",
        body_en="Hello {contact},\n\nWe received your request #{number}. {technician} is on it "
        "and will answer by {due} at the latest.",
        set_level=1,
        shared=True,
    )
    workspace.macro_save(
        actor=manager,
        name="Vider le cache du navigateur",
        body_fr="Bonjour {contact},\n\nVeuillez vider le cache de votre navigateur "
        "(Ctrl+Maj+Suppr), puis recharger la page. Dites-nous si le problème persiste.",
        body_en="Hello {contact},\n\nPlease clear your browser's cache (Ctrl+Shift+Del), then "
        "reload the page. Let us know if the problem persists.",
        set_status=Status.WAITING,
        shared=True,
    )
    first = _file(
        manager,
        marc,
        "Le menu principal est décalé sur mobile",
        "Sur téléphone, le menu principal déborde de l'écran.",
        Channel.EMAIL,
        5,
    )
    duplicate = _file(
        manager,
        marc,
        "Menu décalé (téléphone)",
        "Je vous réécris : le menu est toujours décalé sur mon téléphone.",
        Channel.EMAIL,
        4,
    )
    merging.ticket_merge(actor=tech1, duplicate=duplicate, into=first)
    related = _file(
        manager,
        sarah,
        "Mobile menu overflows",
        "On phones, the main menu runs off the screen.",
        Channel.WEB,
        6,
    )
    merging.ticket_link(actor=tech1, ticket=first, other=related)
