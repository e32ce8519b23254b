"""Staff try the API in its interactive docs page (Swagger UI), served under the site's CSP."""

import pytest

from tests.e2e.browsing import log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_staff_see_every_operation_in_the_docs_page(services_app, browser):
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    refusals = []
    page.on("console", lambda m: refusals.append(m.text) if "Content Security" in m.text else None)
    log_in(page, services_app.base_url, "admin@demo.aviator", "fly-admin-demo")
    page.goto(f"{services_app.base_url}/api/v1/docs")
    expect(page.locator(".opblock")).to_have_count(10)
    assert refusals == []
