"""Benchmarks of recommending. Prints numbers to compare; asserts nothing.

    .venv/bin/python bench/bench_recommendations.py             # rank_colleges on the full catalog
    .venv/bin/python bench/bench_recommendations.py --end-to-end  # ...and last answer → list pushed

Targets (issue 4): rank_colleges under 10 ms median on the full catalog for every profile shape,
the broad ones (any state, any budget, undecided, a widened scope) included. The end-to-end
number is from posting the family's last answer to the channel layer delivering the state that
holds the recommendations (what the chat page renders), with a real worker on Redis and
PostgreSQL.
"""

import argparse
import asyncio
import concurrent.futures
import functools
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PROFILES = {
    "Ohio engineering, $25k": {
        "major": "engineering",
        "gpa": 3.6,
        "sat": 1300,
        "budget": 25000,
        "states": ["OH", "MI", "IN"],
    },
    "anywhere, any budget": {"major": "psychology", "gpa": 3.1, "budget": "any", "states": "any"},
    "anywhere, income known": {
        "major": "business",
        "act": 24,
        "budget": 20000,
        "states": "any",
        "income": 60000,
    },
    "undecided, anywhere, income known": {
        "major": "undecided",
        "gpa": 3.5,
        "sat": 1200,
        "budget": 25000,
        "states": "any",
        "income": 60000,
    },
    "undecided, anywhere, any budget": {
        "major": "undecided",
        "gpa": 3.4,
        "budget": "any",
        "states": "any",
    },
    "two-year widened, anywhere": {
        "major": "health",
        "gpa": 2.8,
        "budget": 15000,
        "states": "any",
        "income": 40000,
    },
    "widest scope, undecided, anywhere": {
        "major": "undecided",
        "gpa": 3.0,
        "budget": "any",
        "states": "any",
    },
    "one state, tight budget": {
        "major": "business",
        "gpa": 3.2,
        "act": 22,
        "budget": 12000,
        "states": ["TX"],
        "home_state": "TX",
    },
}
# Profiles ranked in a scope the family widened (coach.catalog.scope.Scope fields).
WIDENED_SCOPES = {
    "two-year widened, anywhere": {"two_year": True},
    "widest scope, undecided, anywhere": {
        "two_year": True,
        "for_profit": True,
    },
}


def report(name: str, samples_ms: list[float]) -> None:
    samples_ms.sort()
    median = statistics.median(samples_ms)
    p95 = samples_ms[max(0, int(len(samples_ms) * 0.95) - 1)]
    print(f"{name:<64} n={len(samples_ms):<5} median={median:8.2f} ms  p95={p95:8.2f} ms")


def bench_ranking(runs: int) -> None:
    from coach.catalog.importer import DEFAULT_CATALOG, read_catalog
    from coach.catalog.ranking import rank_colleges
    from coach.catalog.scope import Scope
    from coach.catalog.selectors import _record

    catalog = tuple(_record(college) for college in read_catalog(DEFAULT_CATALOG))
    # The first call on a catalog tuple prepares what does not depend on the family (each
    # record's prices and score base, the default scope's subset); later calls reuse it.
    started = time.perf_counter()
    rank_colleges(PROFILES["undecided, anywhere, any budget"], catalog)
    report("first call on a fresh catalog (prepares it)", [(time.perf_counter() - started) * 1000])
    for name, profile in PROFILES.items():
        scope = Scope(**WIDENED_SCOPES.get(name, {}))
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            rank_colleges(profile, catalog, scope=scope)
            samples.append((time.perf_counter() - started) * 1000)
        report(f"rank_colleges, {len(catalog)} colleges, {name}", samples)


def bench_end_to_end(rounds: int) -> None:
    import django

    django.setup()
    from channels.layers import get_channel_layer
    from django.core.management import call_command
    from django.test import Client

    from aviator.accounts.services import token_issue, user_create
    from aviator.roles import Role
    from coach.events import conversation_group

    call_command("migrate", verbosity=0)
    call_command("import_catalog", verbosity=0)
    family = user_create(
        email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password=None, role=Role.FAMILY
    )
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=family)}"})
    layer = get_channel_layer()
    samples = []

    async def wait_for_recommendations(channel: str) -> None:
        while True:
            message = await layer.receive(channel)
            event = message["event"]
            if event["type"] == "state" and event["state"]["recommendations"]:
                return

    async def one_round() -> float:
        # The Django test client is synchronous: it runs in a thread, as a web worker would.
        created = await post("/api/v1/conversations/", "{}", content_type="application/json")
        conversation = created.json()
        channel = await layer.new_channel()
        await layer.group_add(conversation_group(conversation["id"]), channel)
        body = json.dumps(
            {"text": "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina."}
        )
        started = time.perf_counter()
        await post(
            f"/api/v1/conversations/{conversation['id']}/messages/",
            body,
            content_type="application/json",
        )
        await asyncio.wait_for(wait_for_recommendations(channel), timeout=60)
        return (time.perf_counter() - started) * 1000

    # One thread for the synchronous test client, so it keeps one database connection.
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    async def post(*args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(
            executor, functools.partial(client.post, *args, **kwargs)
        )

    async def all_rounds() -> None:
        for _ in range(rounds):
            samples.append(await one_round())

    asyncio.run(all_rounds())
    executor.shutdown()
    report("last answer → recommendations pushed (worker on Redis)", samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--end-to-end", action="store_true")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aviator.settings")
    if args.child:
        bench_end_to_end(args.rounds)
        return
    import django

    django.setup()
    bench_ranking(args.runs)
    if not args.end_to_end:
        return
    database = f"aviator_bench_{uuid.uuid4().hex[:8]}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
    subprocess.run([*psql, f'CREATE DATABASE "{database}"'], check=True)
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        REDIS_URL="redis://127.0.0.1:6379/12",
        AVIATOR_TESTING="1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "aviator",
            "worker",
            "--concurrency=2",
            "--loglevel=WARNING",
        ],
        cwd=REPO,
        env=env,
    )
    try:
        subprocess.run(
            [sys.executable, __file__, "--child", "--rounds", str(args.rounds)], env=env, check=True
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        subprocess.run([*psql, f'DROP DATABASE "{database}" WITH (FORCE)'], check=True)


if __name__ == "__main__":
    main()
