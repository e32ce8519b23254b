from django.core.management.base import BaseCommand

from aviator.ops.retention import checkpoints_prune


class Command(BaseCommand):
    help = (
        "Remove old LangGraph checkpoints: keep the newest per thread, and everything of "
        "conversations escalated, awaiting approval, running a tool or under review."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be removed, remove nothing"
        )

    def handle(self, *args, dry_run: bool, verbosity: int, **options):
        report = checkpoints_prune(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(
            f"{report.threads_examined} threads examined: {report.threads_pruned} pruned, "
            f"{report.threads_removed} of deleted conversations removed, "
            f"{report.threads_protected} protected, {report.threads_recent} recent"
        )
        for table, count in report.rows_removed.items():
            self.stdout.write(f"{table}: {verb} {count} rows")
        if verbosity >= 2:
            for thread_id in report.thread_ids:
                self.stdout.write(f"thread {thread_id}")
        if dry_run:
            self.stdout.write("Dry run: nothing was removed.")
