"""Run the web server, the Celery workers and Celery beat together in the foreground.

This is what `make run` starts. The web only stores messages and waits on events; turns run on
the turn workers (queue `turns`, several turns at once each: a turn mostly waits on the model and
the database), tool calls and beat jobs on the tool worker. `--web N` and `--workers N` scale the
first two out on one machine; across machines, run the same commands against one PostgreSQL and
Redis. Ctrl-C (or SIGTERM) stops them all; if one of them dies, the others are stopped too, so a
half-running app never looks healthy.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coach.messages import TURN_QUEUE

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run web (ASGI), Celery worker and Celery beat in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--web", type=int, default=1, help="web processes sharing the port (default 1)"
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="turn worker processes (default 1)"
        )

    def handle(self, *args, host: str, port: int, web: int, workers: int, **options):
        if web < 1 or workers < 1:
            raise CommandError("--web and --workers need at least 1 each.")
        python = sys.executable
        celery_worker = [python, "-m", "celery", "-A", "aviator", "worker", "--loglevel=INFO"]
        commands = {
            "web": [
                python,
                "-m",
                "uvicorn",
                "aviator.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--no-access-log",
                "--workers",
                str(web),
            ],
            "worker": [*celery_worker, "--hostname=tools@%h", "--queues=celery", "--concurrency=2"],
            **{
                f"turns-{number}": [
                    *celery_worker,
                    f"--hostname=turns{number}@%h",
                    f"--queues={TURN_QUEUE}",
                    "--pool=threads",
                    f"--concurrency={settings.TURN_WORKER_THREADS}",
                ]
                for number in range(1, workers + 1)
            },
            "beat": [python, "-m", "celery", "-A", "aviator", "beat", "--loglevel=INFO"],
        }
        processes = {name: subprocess.Popen(command) for name, command in commands.items()}
        self.stdout.write(f"Aviator is running on http://{host}:{port}/ (Ctrl-C stops it)")
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        exit_code = 0
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    self.stderr.write(f"{name} exited with code {process.returncode}; stopping.")
                    exit_code = process.returncode or 1
                    stopping = True
            time.sleep(0.5)
        self._stop_all(processes)
        sys.exit(exit_code)

    def _stop_all(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
