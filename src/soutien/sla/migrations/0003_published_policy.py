"""Seed the vendor's published support policy: standard hours, Quebec holidays, targets per level."""

from datetime import UTC, datetime

from django.db import migrations

TEXT_FR = """\
Politique de soutien technique

Avant de communiquer avec nous, consultez la page de dépannage et la documentation en ligne :
le guide de dépannage est constamment mis à jour et la foire aux questions rassemble les
rubriques les plus consultées.

Nous joindre : par téléphone, par courriel, par télécopieur ou par le portail Web, du lundi au
vendredi, de 8 h à 17 h (heure de l'Est), sauf les jours fériés du Québec.

Évaluation de votre demande : nos techniciens évaluent rapidement le niveau de difficulté.
- Niveau 1 — difficulté à faire fonctionner le logiciel (mise en page, affichage, dépôt de
  documents, perte de données) : l'équipe de premier niveau vous propose une solution rapidement.
- Niveau 2 — le logiciel ne réagit pas comme attendu (informations qui ne s'affichent pas bien
  que le protocole de publication ait été respecté, message d'erreur demandant de contacter le
  soutien, anomalie de fonctionnement) : l'équipe analyse et corrige le problème.
- Niveau 3 — intervention complexe des ingénieurs (synchronisation des profils sécurisés,
  équilibrage des charges entre plusieurs serveurs, programmation sur mesure).

Suivi : un technicien donne suite par écrit ou par téléphone dans l'heure qui suit votre appel
ou votre courriel (heures de service). Pour le niveau 2, le délai peut aller d'une à cinq heures.
Pour les demandes de niveau 3 nécessitant une programmation sur mesure, la solution, le
calendrier de production et la date de livraison font l'objet d'une entente avec le responsable
du développement technique.

Garantie : en cas de divergence entre ce texte et votre contrat de licence, la version la plus
avantageuse pour le client a préséance.

Forfaits offerts en plus des heures du contrat :
- Support de base plus : 10 heures, du lundi au vendredi, de 8 h 30 à 12 h 30 et de 13 h à 17 h.
- Support de base extra : 20 heures, 24 heures sur 24, 7 jours sur 7.
- Support personnalisé : heures, plages de couverture et services négociés (soutien de première
  ligne par téléconférence, dépannage et programmation en ligne, bulletin technique mensuel,
  formation sur mesure).
"""

TEXT_EN = """\
Technical support policy

Before contacting us, see the troubleshooting page and the online documentation: the
troubleshooting guide is kept up to date and the FAQ gathers the most consulted topics.

Reach us by phone, email, fax or the web portal, Monday to Friday, 8:00 to 17:00 Eastern time,
except Quebec statutory holidays.

Assessment of your request: our technicians quickly assess its level of difficulty.
- Level 1 — trouble making the software work (layout, display, document upload, data loss): the
  first-level team proposes a solution quickly.
- Level 2 — the software does not behave as expected (information not displayed although the
  publishing protocol was followed, an error message asking to contact support, a malfunction):
  the team analyses and fixes the problem.
- Level 3 — complex work by our engineers (secure-profile synchronization, load balancing between
  several servers, custom programming).

Follow-up: a technician responds in writing or by phone within one hour of your call or email
(service hours). For level 2 the delay may range from one to five hours. For level-3 requests
that need custom programming, the solution, production schedule and delivery date are agreed
with the head of technical development.

Guarantee: where this text and your license contract differ, the version most advantageous to
the client prevails.

Plans available on top of the contract's hours:
- Support de base plus: 10 hours, Monday to Friday, 8:30 to 12:30 and 13:00 to 17:00.
- Support de base extra: 20 hours, 24 hours a day, 7 days a week.
- Custom support: negotiated hours, coverage and services (first-line support by
  teleconference, online troubleshooting and programming, monthly technical newsletter, custom
  training).
"""

WEEKDAYS_8_TO_5 = {str(day): [[8 * 60, 17 * 60]] for day in range(5)}


def seed(apps, schema_editor):
    ServiceCalendar = apps.get_model("sla", "ServiceCalendar")
    Policy = apps.get_model("sla", "Policy")
    SlaConfig = apps.get_model("sla", "SlaConfig")
    standard, _ = ServiceCalendar.objects.get_or_create(
        name="Heures normales de service",
        defaults={
            "time_zone": "America/Toronto",
            "windows": WEEKDAYS_8_TO_5,
            "holiday_country": "CA",
            "holiday_subdivision": "QC",
        },
    )
    ServiceCalendar.objects.get_or_create(
        name="24/7",
        defaults={"time_zone": "America/Toronto", "always_open": True, "holiday_country": ""},
    )
    if not Policy.objects.exists():
        Policy.objects.create(
            effective_from=datetime(2012, 1, 1, 5, 0, tzinfo=UTC),
            text_fr=TEXT_FR,
            text_en=TEXT_EN,
            calendar=standard,
            minutes_untriaged=60,
            minutes_level_1=60,
            minutes_level_2=300,
            minutes_level_3=60,
        )
    SlaConfig.objects.get_or_create(pk=1, defaults={"version": 1})


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
