"""What the app adds to a coach turn: the full-stack turn against a bare LangGraph invocation of
the same compiled graph with the same checkpointer, measured in one process and one run.

    .venv/bin/python bench/bench_overhead.py                 # PostgreSQL + Redis, 8 rounds

Target (issue 8): the full-stack turn costs at most 2x the bare invocation (median against median).

Every round runs the same scripted families (tests/data/personas.json, the opener and then the
answers to whatever the coach asks) four ways, each on a fresh thread or conversation:

- bare: `graph.invoke` of the compiled coach graph (the one the app caches per checkpointer),
  with the app's PostgreSQL checkpointer, the offline model and `durability="sync"` as the app runs;
- runner: `run_coach_turn`, which adds reading the checkpoint before and after the run;
- service: `family_message_submit`, which stores the message, takes the conversation's lock, and
  stores the reply, the ledger changes, the decision trace and the audit rows;
- API: `POST /api/v1/conversations/{id}/messages/` through Django's test client: token
  authentication, the quota check, validation, the service, and the state served back as JSON,
  with the turn run in the request's process (as the tests run it);
- queued: the same request as production runs it: the web stores the message and queues the
  turn, a Celery worker (a thread of this process, on the same Redis broker) runs it, and the
  async view wakes on the turn's event and serves the state. Its difference from `api` is what
  the queue hop costs.

Only the questions-and-answers turns are timed. The turn that completes the profile pauses the
graph for the search tool; the app then hands the tool to a Celery worker, which is measured end
to end by bench_recommendations.py, so the script ends there. The first round warms up, untimed.
The variants take turns going first, so none always runs on the warmest caches.
"""

import argparse
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MAX_FAMILY_MESSAGES = 14
UNKNOWN_ANSWER = "I'm not sure."
VARIANTS = ("bare", "runner", "service", "api", "queued")


def _personas() -> list[dict]:
    personas = json.loads((REPO / "tests" / "data" / "personas.json").read_text())
    # Families who ask for a counselor leave the coach silent: nothing to compare.
    return [p for p in personas if not p.get("expect", {}).get("escalate")]


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def measure(rounds: int) -> dict[str, list[float]]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("import_catalog", verbosity=0, stdout=io.StringIO())
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings
    from django.test import Client

    from aviator.celery import app
    from coach.messages import TURN_QUEUE

    with start_worker(app, pool="solo", perform_ping_check=False, queues=[TURN_QUEUE]):
        return _measure_with_a_worker(rounds, settings, Client)


def _measure_with_a_worker(rounds: int, settings, Client) -> dict[str, list[float]]:
    from aviator.accounts.services import token_issue, user_create
    from aviator.roles import Role
    from coach.catalog.selectors import catalog_records
    from coach.catalog.value_of_information import optional_topic_worth_asking
    from coach.graph.runner import coach_graph, run_coach_turn, thread_config
    from coach.services import conversation_start, family_message_submit

    family = user_create(
        email=f"overhead-{uuid.uuid4().hex[:8]}@aviator.invalid", password=None, role=Role.FAMILY
    )
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=family)}"})
    graph = coach_graph()

    # The turn runner hands the graph this picker (coach.turns); the bare run gets the same one.
    def optional_topic_picker(profile):
        return optional_topic_worth_asking(profile, catalog_records())

    samples: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    mismatched_asks = 0
    turn_counter = 0
    for round_index in range(rounds):
        for persona in _personas():
            bare_config = thread_config(
                str(uuid.uuid4()), optional_topic_picker=optional_topic_picker
            )
            graph.invoke({"incoming": []}, bare_config, durability="sync")
            runner_thread = str(uuid.uuid4())
            run_coach_turn(
                conversation_id=runner_thread,
                incoming=[],
                optional_topic_picker=optional_topic_picker,
            )
            service_conversation = conversation_start(family=family)
            state = client.post(
                "/api/v1/conversations/", "{}", content_type="application/json"
            ).json()
            url = f"/api/v1/conversations/{state['id']}/messages/"
            queued_id = client.post(
                "/api/v1/conversations/", "{}", content_type="application/json"
            ).json()["id"]
            queued_url = f"/api/v1/conversations/{queued_id}/messages/"
            script = [persona["opener"]] + (
                [persona["followup"]] if persona.get("followup") else []
            )
            for _ in range(MAX_FAMILY_MESSAGES):
                if script:
                    text = script.pop(0)
                else:
                    asks = next(
                        m["asks"] for m in reversed(state["messages"]) if m["role"] == "coach"
                    )
                    if not asks:
                        break
                    text = " ".join(persona["answers"].get(t, UNKNOWN_ANSWER) for t in asks)
                incoming = [{"message_id": str(uuid.uuid4()), "text": text}]
                timed: dict[str, float] = {}

                started = time.perf_counter()
                graph.invoke({"incoming": incoming}, bare_config, durability="sync")
                timed["bare"] = time.perf_counter() - started
                snapshot = graph.get_state(bare_config)
                if snapshot.interrupts:
                    # The graph paused for a tool (or an approval): the family gets its list now.
                    break
                bare_asks = snapshot.values["reply"]["asks"]

                others = [
                    (
                        "runner",
                        partial(
                            run_coach_turn,
                            conversation_id=runner_thread,
                            incoming=incoming,
                            optional_topic_picker=optional_topic_picker,
                        ),
                    ),
                    (
                        "service",
                        partial(
                            family_message_submit, conversation=service_conversation, text=text
                        ),
                    ),
                    ("api", partial(_post_turn, settings, client, url, text, inline=True)),
                    (
                        "queued",
                        partial(_post_turn, settings, client, queued_url, text, inline=False),
                    ),
                ]
                shift = turn_counter % len(others)
                response = None
                for variant, run in others[shift:] + others[:shift]:
                    started = time.perf_counter()
                    result = run()
                    timed[variant] = time.perf_counter() - started
                    if variant in ("api", "queued"):
                        assert result.status_code == 200, result.content
                    if variant == "api":
                        response = result
                turn_counter += 1
                state = response.json()
                if state["messages"][-1].get("asks") != bare_asks:
                    mismatched_asks += 1
                if round_index > 0:
                    for variant, seconds in timed.items():
                        samples[variant].append(seconds * 1000)
    if mismatched_asks:
        print(f"warning: the API and the bare graph asked differently {mismatched_asks} times")
    return samples


def _post_turn(settings, client, url: str, text: str, *, inline: bool):
    settings.TURNS_INLINE = inline
    return client.post(url, json.dumps({"text": text}), content_type="application/json")


def report(samples: dict[str, list[float]]) -> None:
    bare = statistics.median(samples["bare"])
    print(f"{'variant':<10} {'turns':>6} {'median':>10} {'p95':>10} {'x bare':>8}")
    for variant in VARIANTS:
        median = statistics.median(samples[variant])
        p95 = _percentile(samples[variant], 0.95)
        print(
            f"{variant:<10} {len(samples[variant]):>6} {median:>7.2f} ms {p95:>7.2f} ms "
            f"{median / bare:>7.2f}x"
        )
    ratio = statistics.median(samples["api"]) / bare
    verdict = "within" if ratio <= 2 else "over"
    print(f"full-stack (API) turn / bare graph.invoke = {ratio:.2f}x ({verdict} the 2x target)")
    hop = statistics.median(samples["queued"]) - statistics.median(samples["api"])
    print(f"the queue hop (queued - api, medians) costs {hop:.2f} ms a turn")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=8, help="rounds of all personas (1 warms up)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aviator.settings")
        report(measure(args.rounds))
        return
    import psycopg

    server = urlsplit(args.postgres)
    admin_dsn = (
        f"host={server.hostname} port={server.port or 5432} "
        f"user={server.username or 'postgres'} dbname=postgres"
    )
    database = f"aviator_overhead_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            env = dict(
                os.environ,
                DATABASE_URL=f"{args.postgres.rstrip('/')}/{database}",
                REDIS_URL=args.redis,
                SECRET_KEY=secrets.token_urlsafe(50),
                AVIATOR_DATA_DIR=data_dir,
                # Production settings, over plain http in-process; and no quota in the way of a
                # family sending a few hundred messages in a minute.
                AVIATOR_HTTPS="false",
                AVIATOR_FAMILY_MESSAGES_PER_MINUTE="1000000",
                AVIATOR_FAMILY_CONVERSATIONS_PER_DAY="1000000",
            )
            env.pop("AVIATOR_TESTING", None)
            env.pop("DJANGO_SETTINGS_MODULE", None)
            log = Path(data_dir) / "overhead.log"
            with log.open("wb") as stderr:
                finished = subprocess.run(
                    [sys.executable, __file__, "--child", "--rounds", str(args.rounds)],
                    env=env,
                    stderr=stderr,
                )
            if finished.returncode:
                print(log.read_text(errors="replace")[-5000:])
                sys.exit(finished.returncode)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
