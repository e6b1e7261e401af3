"""The support page's levels, with the examples of the published policy."""

from django.db import migrations

LEVELS = {
    "level_1_fr": "Vous éprouvez des difficultés à faire fonctionner correctement le logiciel : "
    "mise en page, affichage, dépôt de documents, perte de données.",
    "level_1_en": "You have trouble making the software work properly: layout, display, "
    "document upload, data loss.",
    "level_2_fr": "Le logiciel ne réagit pas comme attendu : les informations ne s'affichent pas "
    "bien que le protocole de publication ait été respecté, un message d'erreur vous demande de "
    "contacter le soutien technique, une anomalie de fonctionnement a été détectée.",
    "level_2_en": "The software does not behave as expected: information is not displayed "
    "although the publishing protocol was followed, an error message asks you to contact "
    "support, a malfunction was detected.",
    "level_3_fr": "L'intervention demande l'attention des ingénieurs : la synchronisation des "
    "profils sécurisés présente des anomalies, un problème d'équilibrage des charges entre "
    "plusieurs serveurs, une programmation sur mesure.",
    "level_3_en": "The work needs our engineers: secure-profile synchronization anomalies, load "
    "balancing between several servers, custom programming.",
}


def seed(apps, schema_editor):
    SupportContact = apps.get_model("kb", "SupportContact")
    SupportContact.objects.get_or_create(pk=1, defaults=LEVELS)


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_search_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
