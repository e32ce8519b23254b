"""The two lock files: hashed, and the runtime one free of test and load-test packages."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.MULTILINE)
TEST_AND_LOAD_TOOLS = {
    "pytest",
    "hypothesis",
    "playwright",
    "axe-playwright-python",
    "locust",
    "flask",
    "gevent",
    "ruff",
    "daphne",
    "uv",
}


def pins(name: str) -> dict[str, str]:
    text = (REPO / name).read_text()
    return {package.lower().replace("_", "-"): version for package, version in PIN.findall(text)}


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_carries_hashes(lock):
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", (REPO / lock).read_text())
    unhashed = [e.split()[0] for e in entries if "==" in e.split()[0] and "--hash=" not in e]
    assert unhashed == []


def test_the_runtime_lock_holds_no_test_or_load_test_package():
    assert TEST_AND_LOAD_TOOLS & set(pins("requirements.lock")) == set()


def test_the_dev_lock_pins_the_runtime_packages_at_the_same_versions():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {package: dev.get(package) for package in runtime} == runtime
