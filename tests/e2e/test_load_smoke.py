"""The load test in miniature: a few families drive the real app through locust for 20 seconds.

The full runs and their numbers are in bench/ (bench/load.py, bench/RESULTS.md). This only proves
that the locustfile still speaks the API and the socket, and that nothing fails under a light load.
"""

import csv
import os
import subprocess

import pytest

from tests.e2e.servers import PYTHON, REPO

pytestmark = [pytest.mark.slow, pytest.mark.services]

FAMILIES = 4
API_TURN = ("POST", "/api/v1/conversations/[id]/messages/")
SOCKET_TURN = ("WS", "message → state")
RECOMMENDATIONS = ("WS", "recommendations")


def locust_stats(prefix) -> dict[tuple[str, str], dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {(row["Type"], row["Name"]): row for row in csv.DictReader(handle)}


def test_a_few_families_get_recommendations_with_no_failed_request(services_app, tmp_path):
    pool = tmp_path / "families.json"
    subprocess.run(
        [PYTHON, "bench/load.py", "families", "--count", str(FAMILIES), "--out", str(pool)],
        cwd=REPO,
        env=services_app.env,
        check=True,
        timeout=60,
    )
    prefix = tmp_path / "locust"
    # Quick families (1.5-2.5 s between messages) so that each reaches its recommendations within
    # the run, and still well under the quota of 20 messages a minute.
    env = dict(os.environ, AVIATOR_LOAD_FAMILIES=str(pool), AVIATOR_LOAD_THINK="1.5,2.5")
    run = subprocess.run(
        [
            PYTHON,
            "-m",
            "locust",
            "-f",
            "locustfile.py",
            "--headless",
            "--users",
            str(FAMILIES + 1),  # and the health probe
            "--spawn-rate",
            str(FAMILIES + 1),
            "--run-time",
            "20s",
            "--stop-timeout",
            "5",
            "--host",
            services_app.base_url,
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    output = run.stdout[-3000:] + run.stderr[-3000:]

    stats = locust_stats(prefix)
    assert stats[("", "Aggregated")]["Failure Count"] == "0", output
    assert run.returncode == 0, output
    # Half the families answer through the API, half over the socket like the chat page.
    assert int(stats[API_TURN]["Request Count"]) >= FAMILIES // 2, output
    assert int(stats[SOCKET_TURN]["Request Count"]) >= FAMILIES // 2, output
    assert int(stats[RECOMMENDATIONS]["Request Count"]) >= 1, output
