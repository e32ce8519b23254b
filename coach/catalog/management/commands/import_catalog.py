from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coach.catalog.importer import DEFAULT_CATALOG, CatalogImportError, import_catalog


class Command(BaseCommand):
    help = "Load or refresh the college catalog from a College Scorecard CSV (upsert by unitid)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_CATALOG))

    def handle(self, *args, path: str, **options):
        try:
            report = import_catalog(Path(path))
        except CatalogImportError as error:
            raise CommandError(f"Catalog not imported, nothing changed: {error}") from None
        self.stdout.write(
            f"Catalog: {report.created} created, {report.updated} updated "
            f"({report.total} in file, {report.not_in_file} in the database but not in the file)."
        )
