"""Load runs: concurrent families against the whole app on PostgreSQL and Redis. Asserts nothing.

    .venv/bin/python bench/load.py --users 50 200 --duration 90

For each family count: a fresh database, `migrate` and `import_catalog`, `manage.py serve` (web,
worker and beat, as in production), one family per simulated user (`families` below), then
locust headless with `locustfile.py`. Prints turns per second, the latency of a turn and of the
recommendations, the failures, and how much CPU each process used. The CSVs and the server's log
stay in `--out` (default `var/load/`).

    .venv/bin/python bench/load.py families --count 10 --out families.json

makes the pool of families for a locust run by hand, in the database the environment names.
"""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# A coach turn through the API, and one through the chat socket (locustfile.py).
API_TURN = ("POST", "/api/v1/conversations/[id]/messages/")
SOCKET_TURN = ("WS", "message → state")
RECOMMENDATIONS = ("WS", "recommendations")


def families_create(*, count: int, out: Path) -> None:
    """Write `count` new families to `out`: e-mail, API token and a session cookie for the socket.

    The session is made the way Django's test client logs in (`force_login`), which skips the
    deliberately slow password hash: the run should load the coach, not the login page.
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aviator.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from aviator.accounts.services import SESSION_BACKEND, token_issue, user_create
    from aviator.roles import Role

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    run = uuid.uuid4().hex[:8]
    families = []
    for index in range(count):
        user = user_create(
            email=f"load-{run}-{index:04d}@aviator.invalid", password=None, role=Role.FAMILY
        )
        session = session_store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = SESSION_BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        families.append(
            {
                "email": user.email,
                "token": token_issue(user=user),
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            }
        )
    out.write_text(json.dumps(families, indent=1))


# --- Reading locust's CSVs ------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float:
    return float(text) if text not in ("", "N/A") else float("nan")


def summarize(prefix: Path, *, steady_from: float) -> dict:
    """Counts and percentiles per request from `<prefix>_stats.csv`; turns per second after the
    ramp-up (from `steady_from` seconds on) from the full history."""
    stats = {(row["Type"], row["Name"]): row for row in _rows(Path(f"{prefix}_stats.csv"))}
    summary: dict = {"requests": {}}
    for key, row in stats.items():
        summary["requests"][" ".join(key).strip()] = {
            "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": _number(row["50%"]),
            "p95_ms": _number(row["95%"]),
            "p99_ms": _number(row["99%"]),
            "per_second": _number(row["Requests/s"]),
        }
    aggregated = stats.get(("", "Aggregated"))
    summary["failures"] = int(aggregated["Failure Count"]) if aggregated else 0
    history = _rows(Path(f"{prefix}_stats_history.csv"))
    started = int(history[0]["Timestamp"]) if history else 0
    rates = []
    for kind in (API_TURN, SOCKET_TURN):
        steady = [
            row
            for row in history
            if (row["Type"], row["Name"]) == kind and int(row["Timestamp"]) - started >= steady_from
        ]
        if len(steady) >= 2 and steady[-1]["Timestamp"] != steady[0]["Timestamp"]:
            seconds = int(steady[-1]["Timestamp"]) - int(steady[0]["Timestamp"])
            turns = int(steady[-1]["Total Request Count"]) - int(steady[0]["Total Request Count"])
            rates.append(turns / seconds)
    summary["steady_turns_per_second"] = sum(rates) if rates else float("nan")
    failures_path = Path(f"{prefix}_failures.csv")
    summary["failure_kinds"] = (
        [
            f"{row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error'][:120]}"
            for row in _rows(failures_path)
        ]
        if failures_path.exists()
        else []
    )
    return summary


# --- Where the CPU went ---------------------------------------------------------------------


def _cpu_seconds_by_role(server_pid: int, locust_pid: int | None) -> dict[str, dict[int, float]]:
    """CPU seconds used so far per process, grouped: web, worker, beat, postgres, redis, locust.

    PostgreSQL and Redis are counted whole: on a shared machine that includes other databases."""
    import psutil

    roles: dict[str, dict[int, float]] = {
        name: {} for name in ("web", "worker", "beat", "postgres", "redis", "locust")
    }

    def add(role: str, process: psutil.Process) -> None:
        try:
            times = process.cpu_times()
            roles[role][process.pid] = times.user + times.system
        except psutil.Error:
            pass

    try:
        for process in psutil.Process(server_pid).children(recursive=True):
            command = " ".join(process.cmdline())
            if "uvicorn" in command:
                add("web", process)
            elif "celery" in command and " worker" in command:
                add("worker", process)
            elif "celery" in command and " beat" in command:
                add("beat", process)
    except psutil.Error:
        pass
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ("postgres", "postmaster"):
            add("postgres", process)
        elif process.info["name"] == "redis-server":
            add("redis", process)
    if locust_pid is not None:
        try:
            locust = psutil.Process(locust_pid)
            add("locust", locust)
            for child in locust.children(recursive=True):
                add("locust", child)
        except psutil.Error:
            pass
    return roles


def _cores_used(before, after, seconds: float) -> dict[str, float]:
    return {
        role: sum(total - before[role].get(pid, 0.0) for pid, total in after[role].items())
        / seconds
        for role in after
    }


# --- One run ---------------------------------------------------------------------------------


def run_once(*, users: int, spawn_rate: float, duration: int, args, out: Path) -> dict:
    import psycopg

    from tests.e2e.servers import PYTHON, ServerProcess, child_environment, free_port

    out.mkdir(parents=True, exist_ok=True)
    server_url = urlsplit(args.postgres)
    name = f"aviator_load_{uuid.uuid4().hex[:8]}"
    admin_dsn = (
        f"host={server_url.hostname} port={server_url.port or 5432} "
        f"user={server_url.username or 'postgres'} dbname=postgres"
    )
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    env = child_environment(
        out / "data",
        DATABASE_URL=f"{args.postgres.rstrip('/')}/{name}",
        REDIS_URL=args.redis,
        SECRET_KEY=secrets.token_urlsafe(50),
        # Production settings over plain http on localhost: there is no TLS proxy in front.
        AVIATOR_HTTPS="false",
    )
    if args.faults:
        env["COACH_FAULTS"] = args.faults
    command = [PYTHON, "manage.py", "serve", "--port", str(port)]
    command += ["--web", str(args.web), "--workers", str(args.workers)]
    server = ServerProcess(command, env, port, out / "serve.log")
    try:
        print(f"[{users} families] migrate, import_catalog, start serve on :{port}", flush=True)
        server.manage("migrate", "--no-input")
        server.manage("import_catalog")
        server.start()
        pool = out / "families.json"
        subprocess.run(
            [PYTHON, __file__, "families", "--count", str(users), "--out", str(pool)],
            cwd=REPO,
            env=env,
            check=True,
        )
        prefix = out / "locust"
        command = [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(REPO / "locustfile.py"),
            "--headless",
            "--users",
            str(users + 1),  # the families and one health probe
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{duration}s",
            "--host",
            server.base_url,
            "--csv",
            str(prefix),
            "--csv-full-history",
            "--only-summary",
            "--stop-timeout",
            "5",
            "--loglevel",
            "WARNING",
        ]
        locust_env = dict(os.environ, AVIATOR_LOAD_FAMILIES=str(pool))
        print(f"[{users} families] locust for {duration} s (ramp-up {users / spawn_rate:.0f} s)")
        with (out / "locust.log").open("wb") as log:
            locust = subprocess.Popen(
                command, cwd=REPO, env=locust_env, stdout=log, stderr=subprocess.STDOUT
            )
            load_before = os.getloadavg()[0]
            before = _cpu_seconds_by_role(server.process.pid, locust.pid)
            started = sampled = time.monotonic()
            # Sampled every second until locust exits, so the last sample still sees its process.
            after = before
            while locust.poll() is None:
                time.sleep(1)
                after = _cpu_seconds_by_role(server.process.pid, locust.pid)
                sampled = time.monotonic()
            elapsed = sampled - started
        summary = summarize(prefix, steady_from=users / spawn_rate + 5)
        summary.update(
            users=users,
            duration=duration,
            web=args.web,
            workers=args.workers,
            faults=args.faults,
            locust_exit=locust.returncode,
            cores=_cores_used(before, after, elapsed),
            # The machine is shared: its 1-minute load average before and after the run.
            load_average=(load_before, os.getloadavg()[0]),
            out=str(out),
        )
        return summary
    finally:
        server.stop()
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def print_summary(summary: dict) -> None:
    requests = summary["requests"]
    api = requests.get(" ".join(API_TURN), {})
    socket = requests.get(" ".join(SOCKET_TURN), {})
    recommendations = requests.get(" ".join(RECOMMENDATIONS), {})
    print(
        f"\n== {summary['users']} families, {summary['duration']} s, {summary['web']} web, "
        f"{summary['workers']} turn workers, faults {summary['faults'] or 'none'} "
        f"({summary['out']})"
    )
    for name, row in sorted(requests.items()):
        print(
            f"  {name:<58} n={row['count']:<6} fail={row['failures']:<4} "
            f"p50={row['p50_ms']:>7.0f} ms  p95={row['p95_ms']:>7.0f} ms  "
            f"p99={row['p99_ms']:>7.0f} ms  {row['per_second']:.2f}/s"
        )
    for kind in summary["failure_kinds"]:
        print(f"  failure: {kind}")
    cores = ", ".join(f"{role} {used:.2f}" for role, used in summary["cores"].items())
    print(f"  CPU cores used: {cores}")
    print("  load average before, after: {:.1f}, {:.1f}".format(*summary["load_average"]))
    turns = api.get("count", 0) + socket.get("count", 0)
    per_second = api.get("per_second", 0) + socket.get("per_second", 0)

    def p50_p95(row: dict) -> str:
        return f"{row.get('p50_ms', 0):.0f} / {row.get('p95_ms', 0):.0f} ms"

    print(
        "  markdown: "
        f"| {summary['users']} | {summary['duration']} s | {turns} | {per_second:.1f} "
        f"({summary['steady_turns_per_second']:.1f} after ramp-up) | {p50_p95(api)} | "
        f"{p50_p95(socket)} | {p50_p95(recommendations)} | "
        f"{summary['failures']} of {requests.get('Aggregated', {}).get('count', 0)} |"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "families":
        parser = argparse.ArgumentParser(prog="load.py families")
        parser.add_argument("command")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True)
        args = parser.parse_args()
        families_create(count=args.count, out=args.out)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50], help="families at once")
    parser.add_argument("--duration", type=int, default=90, help="seconds of load per run")
    parser.add_argument(
        "--spawn-rate", type=float, help="families started per second (default: users / 10)"
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
    )
    parser.add_argument("--out", type=Path, default=REPO / "var" / "load")
    parser.add_argument("--web", type=int, default=1, help="web processes (serve --web)")
    parser.add_argument("--workers", type=int, default=1, help="turn workers (serve --workers)")
    parser.add_argument(
        "--faults", default="", help="COACH_FAULTS for the app, e.g. model_delay=1.5"
    )
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    summaries = []
    for users in args.users:
        summary = run_once(
            users=users,
            spawn_rate=args.spawn_rate or max(1.0, users / 10),
            duration=args.duration,
            args=args,
            out=args.out / f"{stamp}-{users}",
        )
        print_summary(summary)
        summaries.append(summary)
    (args.out / f"{stamp}-summary.json").write_text(json.dumps(summaries, indent=1))


if __name__ == "__main__":
    main()
