import os
import shutil

import pytest

from tests.e2e.servers import (
    PYTHON,
    ServerProcess,
    child_environment,
    free_port,
    own_database,
    services_environment,
)


@pytest.fixture(scope="session")
def embedded_app(tmp_path_factory):
    """`make run` exactly as a newcomer types it: no services, only a data folder and a port."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    data_dir = tmp_path_factory.mktemp("embedded")
    port = free_port()
    server = ServerProcess(
        ["make", "--no-print-directory", "run"],
        child_environment(data_dir, PORT=str(port)),
        port,
        data_dir / "make-run.log",
    )
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def services_app(tmp_path_factory, django_db_setup, django_db_blocker):
    """The app on PostgreSQL and Redis, in a database of its own, scaled out as in production:
    two web processes and two turn workers (a family's socket on one web process sees the turns
    either worker runs), the tool worker and beat."""
    with own_database() as database:
        data_dir = tmp_path_factory.mktemp("services")
        port = free_port()
        server = ServerProcess(
            [PYTHON, "manage.py", "serve", "--port", str(port), "--web", "2", "--workers", "2"],
            services_environment(data_dir, database),
            port,
            data_dir / "serve.log",
        )
        server.manage("migrate", "--no-input")
        server.manage("import_catalog")
        server.manage("seed_demo")
        yield server.start()
        server.stop()


# --- Headless Chromium (Debian's; Playwright cannot download browsers here) ---------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but Debian's chromium is not installed (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()
