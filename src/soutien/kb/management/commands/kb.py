"""`soutien kb import DIR`, `soutien kb export DIR`, `soutien kb reindex`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from soutien.accounts.models import User
from soutien.kb import services, transfer


class Command(BaseCommand):
    help = "Import or export knowledge-base articles as Markdown files; rebuild the search index."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="load every *.md file of DIR (and its subfolders)")
        load.add_argument("folder", type=Path)
        load.add_argument("--author", help="username the revisions are recorded under")
        dump = sub.add_parser("export", help="write every article to DIR/<language>/<slug>.md")
        dump.add_argument("folder", type=Path)
        dump.add_argument("--published-only", action="store_true")
        sub.add_parser("reindex", help="rebuild the search index from the published articles")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options["folder"], options.get("author"))
        elif action == "export":
            folder: Path = options["folder"]
            count = sum(
                1
                for _ in transfer.export_articles(folder, published_only=options["published_only"])
            )
            self.stdout.write(f"{count} articles written to {folder}")
        else:
            self.stdout.write(f"{services.reindex_all()} published articles indexed")

    def _author(self, username: str | None) -> User:
        qs = User.objects.filter(is_active=True, organization__isnull=True)
        author = (
            qs.filter(username=username).first()
            if username
            else qs.filter(is_superuser=True).order_by("pk").first()
        )
        if author is None or not author.is_staff_member:
            raise CommandError("Give --author, the username of a staff member.")
        return author

    def _import(self, folder: Path, username: str | None) -> None:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        author = self._author(username)
        files = transfer.markdown_files(folder.resolve())
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, disable=not files) as progress:
            task = progress.add_task("Import", total=len(files))
            outcome = transfer.import_folder(
                author, folder, on_file=lambda _path: progress.advance(task)
            )
        self.stdout.write(
            f"{outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged"
        )
        for error in outcome.errors or []:
            self.stderr.write(error)
        if outcome.errors:
            raise CommandError(f"{len(outcome.errors)} files could not be imported")
