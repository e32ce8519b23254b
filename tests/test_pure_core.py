"""The pure core stands on its own: it imports with Django and the other frameworks absent (the
import contracts in pyproject.toml keep it so; this proves it by running it)."""

import subprocess
import sys

CORE = (
    "coach.profile",
    "coach.ledger",
    "coach.gate",
    "coach.guard",
    "coach.escalation_packet",
    "coach.catalog.ranking",
    "coach.catalog.scope",
    "coach.catalog.filters",
    "coach.language.rules",
    "coach.language.phrasing",
    "coach.language.prompts",
)
ABSENT = ("django", "channels", "celery", "langgraph", "langchain_core", "psycopg")


def test_the_core_imports_without_django_or_the_other_frameworks():
    # A None entry in sys.modules makes every import of that package fail, as if not installed.
    program = "\n".join(
        [
            "import sys",
            *(f"sys.modules[{name!r}] = None" for name in ABSENT),
            *(f"import {module}" for module in CORE),
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_framework_import_in_the_core_would_be_caught():
    program = "import sys\nsys.modules['django'] = None\nimport coach.graph.context"
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False
    )
    assert "ModuleNotFoundError" in result.stderr
