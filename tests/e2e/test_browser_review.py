"""An admin reviews a real conversation in headless Chromium: each coach question says why."""

import pytest

from tests.e2e.browsing import log_in, sign_up_and_start_a_conversation

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_review_page_shows_why_each_question_was_asked(services_app, browser):
    from playwright.sync_api import expect

    family = browser.new_context().new_page()
    sign_up_and_start_a_conversation(family, services_app.base_url)
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")
    family.fill("#composer-text", "She wants to study biology.")
    family.click("#send")
    expect(family.locator(".message.coach")).to_have_count(2)
    family_email = family.locator(".who").inner_text()

    admin = browser.new_context().new_page()
    log_in(admin, services_app.base_url, "admin@demo.aviator", "fly-admin-demo")
    admin.goto(f"{services_app.base_url}/staff/review/?search={family_email}")
    admin.locator("#review-list tbody a").first.click()

    questions = admin.locator(".message.coach")
    expect(questions).to_have_count(2)
    for index in range(2):
        expect(questions.nth(index).locator(".why")).to_contain_text("Why:")
    expect(admin.locator(".message.coach .changes")).to_contain_text("major: — → biology")
