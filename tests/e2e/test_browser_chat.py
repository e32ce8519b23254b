"""A family in a real browser (headless Chromium): sign up, start a conversation, chat live."""

import os
import shutil
import uuid

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

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


def sign_up_and_start_a_conversation(page, base_url: str) -> None:
    """A new family signs up and opens a conversation; the coach's greeting is on screen after."""
    page.goto(f"{base_url}/accounts/signup/")
    page.fill("#id_email", f"family-{uuid.uuid4().hex[:6]}@example.com")
    page.fill("#id_password", "a-Long-enough-pass-42")
    page.fill("#id_password_again", "a-Long-enough-pass-42")
    page.click("button[type=submit]")
    page.click("#start-conversation")


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_a_family_signs_up_and_sees_the_coach_reply_arrive_without_a_reload(services_app, page):
    from playwright.sync_api import expect

    sign_up_and_start_a_conversation(page, services_app.base_url)
    expect(page.locator(".message.coach")).to_have_count(1)
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
    page.evaluate("window.__sameDocument = true")

    page.fill("#composer-text", "Hello from the browser")
    page.click("#send")

    expect(page.locator(".message.family")).to_have_text(["familyHello from the browser"])
    expect(page.locator(".message.coach")).to_have_count(2)
    assert page.evaluate("window.__sameDocument") is True


def test_a_family_sees_college_cards_arrive_after_answering_everything(services_app, page):
    from playwright.sync_api import expect

    sign_up_and_start_a_conversation(page, services_app.base_url)
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true")

    page.fill("#composer-text", "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina.")
    page.click("#send")

    expect(page.locator(".college-card").first).to_be_visible(timeout=30_000)
    assert page.locator(".college-card").count() >= 6
    expect(page.locator("#busy")).to_be_hidden()


def test_the_full_handoff_loop_between_a_family_and_a_counselor(services_app, browser):
    from playwright.sync_api import expect

    family = browser.new_context().new_page()
    counselor = browser.new_context().new_page()
    sign_up_and_start_a_conversation(family, services_app.base_url)
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")
    family.fill("#composer-text", "Biology, GPA 3.5.")
    family.click("#send")
    expect(family.locator(".message.coach")).to_have_count(2)

    family.click("#talk-to-counselor")
    expect(family.locator(".message.system")).to_contain_text("A counselor will join you")

    counselor.goto(f"{services_app.base_url}/accounts/login/")
    counselor.fill("#id_username", "counselor@demo.aviator")
    counselor.fill("#id_password", "fly-counselor-demo")
    counselor.click("button[type=submit]")
    counselor.goto(f"{services_app.base_url}/staff/?queue=unassigned")
    counselor.locator("tr[data-escalation-id] a").first.click()
    counselor.click("#claim")
    expect(counselor.locator("#chat")).to_have_attribute("data-connected", "true")
    expect(family.locator(".message.system").last).to_contain_text("has joined")

    counselor.fill("#composer-text", "Hi, I'm from the counseling team. What's your budget?")
    counselor.click("#send")
    expect(family.locator(".message.counselor")).to_contain_text("What's your budget?")

    counselor.click("#handback")
    expect(family.locator(".message.system").last).to_contain_text("back with the coach")
    family.fill("#composer-text", "We can pay 20k a year.")
    family.click("#send")
    expect(family.locator(".message.coach").last).to_contain_text("Which states or regions")
