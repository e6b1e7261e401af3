"""Benchmark: knowledge-base search and suggestion latency on PostgreSQL and SQLite, same run.

Generates N published articles (half French, half English, each topic in both languages) from a
support vocabulary, with error codes on troubleshooting articles, in bulk; indexes them with the
product's own backend; then times, on each database:

- `soutien.kb.selectors.search()` and `suggest()` called directly (server time of the search);
- `GET /api/v1/kb/search` and `POST /api/v1/kb/suggestions` through Django's test client
  (the whole request: routing, validation, search, JSON, and the search's figure written);

and checks that a request naming a troubleshooting article's error code (bare or quoted) gets
that topic suggested.

Run from a checkout (PostgreSQL on 127.0.0.1; each database in its own child process):
    .venv/bin/python bench/kb_search.py --articles 50000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _words(text: str) -> list[str]:
    return text.split()


FR_WORDS = _words("""document documents page pages publication publier affichage afficher serveur serveurs
profil profils sécurisé synchronisation équilibrage charge charges mise en page modèle gabarit
image images fichier fichiers dépôt téléverser téléversement téléchargement courriel message
erreur erreurs accès refusé utilisateur utilisateurs groupe groupes droits permission contenu
contenus rubrique rubriques menu navigation recherche index lien liens formulaire champ champs
calendrier événement événements nouvelle nouvelles bulletin abonnement lecteur tableau colonne
ligne cellule style police couleur bouton fenêtre navigateur cache mémoire session connexion
mot passe sauvegarde restauration version révision brouillon approbation flux workflow langue
traduction français anglais adresse domaine certificat sécurité pare-feu réseau base données
requête lente lenteur délai rapport statistiques exportation importation gabarits vignette
redimensionner recadrer vidéo audio intégration module extension mise à jour installation
configuration paramètre paramètres journal journaux tâche planifiée perte données récupération
""")
EN_WORDS = _words("""document documents page pages publishing publish display server servers profile
profiles secure synchronization load balancing layout template image images file files upload
uploading download email message error errors access denied user users group groups rights
permission content contents section sections menu navigation search index link links form field
fields calendar event events news newsletter subscription reader table column row cell style
font colour button window browser cache memory session login password backup restore version
revision draft approval workflow language translation french english address domain certificate
security firewall network database query slow slowness delay report statistics export import
thumbnail resize crop video audio integration module extension update installation configuration
setting settings log logs scheduled task data loss recovery
""")
FR_GLUE = _words(
    "le la les de des du un une pour avec dans sur est sont ne pas plus quand votre vous"
)
EN_GLUE = _words("the a an of to for with in on is are not when your you it this that")
KINDS = ["documentation", "troubleshooting", "faq"]


def zipf_choice(rng: random.Random, words: list[str]) -> str:
    # Rank-frequency like real text: a few words everywhere, most words rare.
    return words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)]


def sentence(rng: random.Random, words: list[str], glue: list[str], n: int) -> str:
    out = []
    for _ in range(n):
        out.append(rng.choice(glue) if rng.random() < 0.35 else zipf_choice(rng, words))
    return " ".join(out).capitalize() + "."


def generate(count: int, seed: int) -> None:
    from django.db import transaction

    from soutien.accounts.models import User
    from soutien.kb.markdown import render
    from soutien.kb.models import Article
    from soutien.kb.search import backend
    from soutien.kb.services import document_of

    rng = random.Random(seed)
    author = User.objects.filter(username="bench-kb").first() or User.objects.create(
        username="bench-kb", full_name="Bench", is_support_manager=True
    )
    fr_words = FR_WORDS[:]
    en_words = EN_WORDS[:]
    rng.shuffle(fr_words)
    rng.shuffle(en_words)
    batch: list[Article] = []
    search = backend()
    begin = time.perf_counter()

    def flush() -> None:
        with transaction.atomic():
            created = Article.objects.bulk_create(batch)
            search.index(document_of(a) for a in created)
        batch.clear()

    for topic in range(count // 2):
        kind = KINDS[topic % 3]
        code = f"ERR-{rng.randint(1000, 9999)}" if kind == "troubleshooting" else ""
        for language, words, glue in (("fr", fr_words, FR_GLUE), ("en", en_words, EN_GLUE)):
            title = sentence(rng, words, glue, rng.randint(4, 8)).rstrip(".")
            body = "\n\n".join(
                sentence(rng, words, glue, rng.randint(10, 25)) for _ in range(rng.randint(4, 9))
            )
            if code:
                body += f"\n\nMessage : {code} {sentence(rng, words, glue, 4)}"
            batch.append(
                Article(
                    group=f"t{topic}",
                    language=language,
                    kind=kind,
                    slug=f"{language}-{topic}",
                    title=title,
                    summary=sentence(rng, words, glue, 12),
                    body=body,
                    body_html=render(body),
                    error_codes=code,
                    visibility=rng.choice([0, 0, 0, 1, 2]),
                    status="published",
                    published_at=None,
                    created_by=author,
                    updated_by=author,
                    revision=1,
                    view_count=int(rng.paretovariate(1.2) * 10),
                )
            )
        if len(batch) >= 2000:
            flush()
    flush()
    print(f"  generated and indexed {count:,} articles in {time.perf_counter() - begin:.1f} s")


def queries(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = rng.choice([FR_WORDS, EN_WORDS])
        shape = rng.random()
        if shape < 0.1:
            out.append(f'"ERR-{rng.randint(1000, 9999)}"')
        elif shape < 0.2:
            out.append(" ".join(rng.sample(words, 2)).replace("é", "e"))
        else:
            out.append(" ".join(rng.sample(words, rng.randint(1, 3))))
    return out


def requests_typed(rng: random.Random, n: int) -> list[tuple[str, str]]:
    out = []
    for _ in range(n):
        french = rng.random() < 0.6
        words, glue = (FR_WORDS, FR_GLUE) if french else (EN_WORDS, EN_GLUE)
        subject = sentence(rng, words, glue, rng.randint(3, 7))
        body = " ".join(sentence(rng, words, glue, rng.randint(8, 16)) for _ in range(3))
        if rng.random() < 0.2:
            body += f" Le message « ERR-{rng.randint(1000, 9999)} accès refusé » apparaît."
        out.append((subject, body))
    return out


def code_requests(rng: random.Random, articles: list[Any]) -> list[tuple[str, str, str]]:
    """Requests that name the error code of an article (bare or quoted): (topic, subject, body)."""
    out = []
    for article in articles:
        words, glue = (FR_WORDS, FR_GLUE) if article.language == "fr" else (EN_WORDS, EN_GLUE)
        subject = sentence(rng, words, glue, rng.randint(3, 7))
        body = " ".join(sentence(rng, words, glue, rng.randint(8, 16)) for _ in range(3))
        code = article.error_codes
        body += f" Le message « {code} » apparaît." if rng.random() < 0.5 else f" {code}."
        out.append((article.group, subject, body))
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "mean": statistics.fmean(samples)}


def timed(fn, items) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for item in items:
        begin = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - begin) * 1000)
    return samples


def measure(count: int, seed: int, samples: int) -> dict[str, object]:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client

    from soutien.accounts.models import Organization, User
    from soutien.kb import selectors
    from soutien.kb.models import Article

    if Article.objects.count() != count:
        Article.objects.all().delete()
        generate(count, seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    org = Organization.objects.get_or_create(name="Bench KB")[0]
    reader = User.objects.filter(username="bench-kb-client").first() or User.objects.create(
        username="bench-kb-client", organization=org, client_role="contact"
    )
    rng = random.Random(seed + 1)
    qs = queries(rng, samples)
    typed = requests_typed(rng, samples)
    anonymous = AnonymousUser()
    # Warm up caches (stemmer, connection, plans) as a running server would have them.
    for q in qs[:50]:
        selectors.search(reader, q)
    for subject, body in typed[:20]:
        selectors.suggest(reader, subject=subject, body=body)
    hits = [len(selectors.search(reader, q).articles) for q in qs]
    results = {
        "search (selector, client)": percentiles(timed(lambda q: selectors.search(reader, q), qs)),
        "search (selector, anonymous)": percentiles(
            timed(lambda q: selectors.search(anonymous, q), qs)
        ),
        "suggest (selector, client)": percentiles(
            timed(lambda t: selectors.suggest(reader, subject=t[0], body=t[1]), typed)
        ),
    }
    client = Client(HTTP_HOST="localhost")

    def get(q: str) -> None:
        assert client.get("/api/v1/kb/search", {"q": q}).status_code == 200

    def post(t: tuple[str, str]) -> None:
        body = json.dumps({"subject": t[0], "body": t[1]})
        r = client.post("/api/v1/kb/suggestions", body, content_type="application/json")
        assert r.status_code == 200

    results["GET /api/v1/kb/search"] = percentiles(timed(get, qs))
    results["POST /api/v1/kb/suggestions"] = percentiles(timed(post, typed))
    # Quality: a request naming an article's error code should have that topic suggested (codes
    # are drawn at random, so some topics share theirs: "first" cannot reach 100 %).
    named_ids = Article.objects.filter(visibility__lte=1).exclude(error_codes="")
    chosen = rng.sample(sorted(named_ids.values_list("id", flat=True)), min(samples // 2, 300))
    named = list(Article.objects.filter(id__in=chosen).order_by("id"))
    ranks = []
    for topic, subject, body in code_requests(rng, named):
        groups = [a.group for a in selectors.suggest(reader, subject=subject, body=body)]
        ranks.append(groups.index(topic) + 1 if topic in groups else 0)
    return {
        "code suggested first": sum(1 for r in ranks if r == 1) / max(len(ranks), 1),
        "code suggested in top 5": sum(1 for r in ranks if r) / max(len(ranks), 1),
        "vendor": connection.vendor,
        "version": connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql"
        else __import__("sqlite3").sqlite_version,
        "queries with results": sum(1 for h in hits if h) / len(hits),
        "results": results,
    }


def child(args: argparse.Namespace) -> None:
    from datagen import connect

    connect(args.database_url, reset=args.reset)
    print(json.dumps(measure(args.articles, args.seed, args.samples)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/soutien_kb_bench")
    parser.add_argument("--reset", action="store_true", help="generate the articles again")
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database_url:
        child(args)
        return
    sqlite = Path(__file__).resolve().parent / ".work" / "kb_bench.sqlite3"
    sqlite.parent.mkdir(parents=True, exist_ok=True)
    for url in (args.postgres, f"sqlite:///{sqlite}"):
        print(f"== {url.split('://')[0]}")
        command = [
            sys.executable,
            __file__,
            "--database-url",
            url,
            "--articles",
            str(args.articles),
        ]
        command += ["--samples", str(args.samples), "--seed", str(args.seed)]
        if args.reset:
            command.append("--reset")
        output = subprocess.run(
            command, check=True, capture_output=True, text=True, env=os.environ.copy()
        )
        lines = output.stdout.strip().splitlines()
        print("\n".join(lines[:-1]))
        report = json.loads(lines[-1])
        print(
            f"  {report['vendor']} {report['version']}, {args.articles:,} articles,"
            f" {report['queries with results']:.0%} of searches found something;"
            f" a request naming an article's error code: its topic suggested first"
            f" {report['code suggested first']:.0%}, in the top 5 {report['code suggested in top 5']:.0%}"
        )
        print(f"  {'operation':34} {'p50':>8} {'p95':>8} {'p99':>8}  (ms)")
        for name, figures in report["results"].items():
            print(f"  {name:34} {figures['p50']:8.2f} {figures['p95']:8.2f} {figures['p99']:8.2f}")


if __name__ == "__main__":
    main()
