"""The embedded default as `make run` starts it: API turns through the real processes (web, turn
worker, tool worker, beat on SQLite and the filesystem broker). Asserts nothing.

    .venv/bin/python bench/bench_embedded.py --turns 40

A fresh data folder, `migrate`, `import_catalog`, `manage.py serve`, then one family sends its
answers one after the other through `POST /api/v1/conversations/{id}/messages/`, a new
conversation every four messages (before the search would start). Prints the median and p95 of a
turn, queue hop included.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ANSWERS = ["Biology", "GPA 3.6 and SAT 1250", "About 20k a year", "Ohio or Michigan"]


def main() -> None:
    from tests.e2e.servers import PYTHON, ServerProcess, child_environment, free_port

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        # No quota in the way of one family sending a few dozen messages in a minute.
        env = child_environment(
            Path(data_dir),
            AVIATOR_FAMILY_MESSAGES_PER_MINUTE="1000000",
            AVIATOR_FAMILY_CONVERSATIONS_PER_DAY="1000000",
        )
        port = free_port()
        server = ServerProcess(
            [PYTHON, "manage.py", "serve", "--port", str(port)],
            env,
            port,
            Path(data_dir) / "serve.log",
        )
        server.manage("migrate", "--no-input")
        server.manage("import_catalog")
        token = server.manage("issue_token", "bench@example.com", "--role", "family", "--create")
        server.start()
        try:
            samples = _turns(server.base_url, token, args.turns)
        finally:
            server.stop()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(
        f"embedded API turn ({len(samples)} turns, one warm-up left out): "
        f"median {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms"
    )


def _turns(base_url: str, token: str, turns: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    with httpx.Client(base_url=f"{base_url}/api/v1", headers=headers, timeout=60) as api:
        for index in range(turns + 1):
            if index % len(ANSWERS) == 0:
                conversation = api.post("/conversations/", json={}).json()
            started = time.perf_counter()
            response = api.post(
                f"/conversations/{conversation['id']}/messages/",
                json={"text": ANSWERS[index % len(ANSWERS)]},
            )
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if index:
                samples.append(elapsed)
    return samples


if __name__ == "__main__":
    main()
