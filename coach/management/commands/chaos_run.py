import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aviator.celery import app as celery_app
from aviator.faults import parse_faults
from coach.chaos import INVARIANTS, chaos_run
from coach.graph.context import get_language_model

WORKER_THREADS = 4
DEFAULT_PERSONAS = Path(settings.BASE_DIR) / "tests" / "data" / "personas.json"


class Command(BaseCommand):
    help = (
        "Drive simulated families through the API at the same time under injected faults and "
        "check the invariants (fails if any is broken)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=20)
        parser.add_argument("--concurrency", type=int, default=10)
        parser.add_argument(
            "--faults",
            default=None,
            help="e.g. model_error=0.3,tool_error=0.2 (default: COACH_FAULTS from the environment)",
        )
        parser.add_argument("--personas", action="append", help="persona JSON files")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="use the running workers instead of starting one in this process",
        )

    def handle(self, *args, families, concurrency, faults, personas, no_worker, **options):
        if families < 1 or concurrency < 1:
            raise CommandError("--families and --concurrency must be at least 1.")
        if faults is not None:
            try:
                settings.COACH_FAULTS = parse_faults(faults)
            except ValueError as error:
                raise CommandError(f"--faults: {error}") from None
            get_language_model.cache_clear()
        # Every family thread, worker thread, the resender and this thread hold a connection.
        needed = concurrency + (0 if no_worker else WORKER_THREADS) + 2
        if settings.USES_POSTGRES and needed > settings.DB_POOL_SIZE:
            raise CommandError(
                f"--concurrency {concurrency} needs {needed} database connections in this "
                f"process: run with AVIATOR_DB_POOL_SIZE={needed} (or lower --concurrency)."
            )
        loaded = []
        for path in personas or [DEFAULT_PERSONAS]:
            try:
                loaded.extend(json.loads(Path(path).read_text()))
            except (OSError, json.JSONDecodeError) as error:
                raise CommandError(f"Cannot read personas from {path}: {error}") from None
        if no_worker:
            report = chaos_run(
                loaded, families=families, concurrency=concurrency, faults=settings.COACH_FAULTS
            )
        else:
            from celery.contrib.testing.worker import start_worker

            with start_worker(
                celery_app, pool="threads", concurrency=WORKER_THREADS, perform_ping_check=False
            ):
                report = chaos_run(
                    loaded, families=families, concurrency=concurrency, faults=settings.COACH_FAULTS
                )
        self.stdout.write(
            f"{report.families} families, {concurrency} at a time, faults "
            f"{report.faults or 'none'}: {report.seconds:.1f} s"
        )
        self.stdout.write(
            "HTTP answers: " + ", ".join(f"{s}×{n}" for s, n in sorted(report.statuses.items()))
        )
        for name, value in sorted(report.counts.items()):
            self.stdout.write(f"  {name:<32}{value:>6}")
        for invariant in INVARIANTS:
            broken = report.violations[invariant]
            mark = "held" if not broken else f"BROKEN ({len(broken)})"
            self.stdout.write(f"{mark:<12}{invariant}")
            for problem in broken[:10]:
                self.stdout.write(f"            - {problem}")
        if not report.held:
            raise CommandError("Some invariants were broken.")
