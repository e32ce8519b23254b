"""Benchmarks of a coach turn. Prints numbers to compare; asserts nothing.

    .venv/bin/python bench/bench_turns.py             # extraction + gate, API turns on SQLite
    .venv/bin/python bench/bench_turns.py --postgres  # ...and API turns on PostgreSQL + Redis

Targets: offline extraction + gate under 5 ms median for a 500-character message (issue 3) and
for a 4,000-character real-style post, the longest a family may send (issue 13).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MESSAGE_500 = (
    "Hi! My daughter Maya is a junior at a public high school outside Columbus. She has a 3.7 "
    "unweighted GPA and got 1340 on the SAT last spring, and she might retake it. She loves "
    "biology and is thinking about a pre-med track, maybe nursing. We'd like her to stay in "
    "Ohio or somewhere in the Midwest, Michigan or Indiana would be fine too. We can afford "
    "about $22,000 a year after aid; our household income is around 95k. She prefers a "
    "medium-sized school in a college town rather than a big city. Thanks for the help!"
)[:500]


def report(name: str, samples_ms: list[float]) -> None:
    samples_ms.sort()
    p95 = samples_ms[int(len(samples_ms) * 0.95) - 1]
    median = statistics.median(samples_ms)
    print(f"{name:<48} n={len(samples_ms):<5} median={median:8.3f} ms  p95={p95:8.3f} ms")


def long_post(length: int = 4000) -> str:
    """The longest labelled real-style post, its activities and decisions repeated up to
    `length` characters: the shape of the longest posts families paste."""
    posts = json.loads((REPO / "tests/data/real_posts.json").read_text())["posts"]
    text = max(posts, key=lambda post: len(post["text"]))["text"]
    filler = (
        "\n* Varsity soccer (9-12), captain senior year; volunteer tutor at the public library, "
        "4 hrs/wk; summer research assistant in a university biology lab\n"
        "* Accepted: Ohio State, Purdue (engineering), University of Michigan (waitlisted)"
    )
    while len(text) < length:
        text += filler
    return text[:length]


def bench_extraction_and_gate(runs: int) -> None:
    from coach.gate import GateHistory, TurnSignals, decide
    from coach.language.rules import read_message
    from coach.ledger import ledger_apply, profile_of

    for message in (MESSAGE_500, long_post()):
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            reading = read_message(message, asked=["major"], profile={})
            facts, _ = ledger_apply({}, reading.facts, source_message_id=None, turn=1)
            decide(profile_of(facts), GateHistory(), TurnSignals())
            samples.append((time.perf_counter() - started) * 1000)
        report(f"offline extraction + gate ({len(message)} chars)", samples)


def bench_api_turns(label: str, turns: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.test import Client

    from aviator.roles import Role

    # The turn runs in this process, after the request stored the message: the work of a turn
    # without the queue hop (bench_overhead.py's `queued` variant and the load test add it).
    settings.TURNS_INLINE = True
    from aviator.accounts.services import token_issue, user_create

    family = user_create(
        email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password=None, role=Role.FAMILY
    )
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=family)}"})
    answers = ["Biology", "GPA 3.6 and SAT 1250", "About 20k a year", "Ohio or Michigan"]
    samples = []
    for index in range(turns):
        if index % len(answers) == 0:
            conversation = client.post(
                "/api/v1/conversations/", "{}", content_type="application/json"
            ).json()
        url = f"/api/v1/conversations/{conversation['id']}/messages/"
        body = json.dumps({"text": answers[index % len(answers)]})
        started = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    report(f"API turn, {label}", samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL and Redis")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aviator.settings")
    if args.child:
        bench_api_turns(
            "embedded default (SQLite)" if args.child == "sqlite" else "PostgreSQL + Redis",
            args.turns,
        )
        return
    import django

    django.setup()
    bench_extraction_and_gate(args.runs)
    # Each mode runs in its own process: settings are read once per process.
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env["AVIATOR_DATA_DIR"] = data_dir
        subprocess.run(
            [sys.executable, __file__, "--child", "sqlite", "--turns", str(args.turns)],
            env=env,
            check=True,
        )
    if args.postgres:
        database = f"aviator_bench_{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f'CREATE DATABASE "{database}"'],
            check=True,
        )
        try:
            env = dict(
                os.environ,
                DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
                REDIS_URL="redis://127.0.0.1:6379/14",
                AVIATOR_TESTING="1",
            )
            subprocess.run(
                [sys.executable, __file__, "--child", "postgres", "--turns", str(args.turns)],
                env=env,
                check=True,
            )
        finally:
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-qc",
                    f'DROP DATABASE "{database}" WITH (FORCE)',
                ],
                check=True,
            )


if __name__ == "__main__":
    main()
