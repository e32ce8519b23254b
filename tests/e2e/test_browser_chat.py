"""A family in a real browser (headless Chromium): sign up, start a conversation, chat live."""

import pytest

from tests.e2e.browsing import log_in, sign_up_and_start_a_conversation

pytestmark = [pytest.mark.slow, pytest.mark.browser]


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

    log_in(counselor, services_app.base_url, "counselor@demo.aviator", "fly-counselor-demo")
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


ANSWERS = "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina."


def test_enter_sends_and_shift_enter_breaks_the_line(services_app, page):
    from playwright.sync_api import expect

    sign_up_and_start_a_conversation(page, services_app.base_url)
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
    page.fill("#composer-text", "Hello")
    page.press("#composer-text", "Shift+Enter")
    page.type("#composer-text", "coach")
    page.press("#composer-text", "Enter")
    expect(page.locator(".message.family p")).to_have_text(["Hello\ncoach"])


def test_a_message_of_spaces_gets_the_servers_words_and_keeps_the_text(services_app, page):
    from playwright.sync_api import expect

    sign_up_and_start_a_conversation(page, services_app.base_url)
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
    page.fill("#composer-text", "   ")
    page.press("#composer-text", "Enter")
    expect(page.locator("#chat-error")).to_have_text("Type a message before sending.")
    expect(page.locator("#composer-text")).to_have_value("   ")


def test_saving_a_college_updates_the_card_in_place_with_undo(services_app, page):
    from playwright.sync_api import expect

    sign_up_and_start_a_conversation(page, services_app.base_url)
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
    page.fill("#composer-text", ANSWERS)
    page.press("#composer-text", "Enter")
    card = page.locator(".college-card").first
    expect(card).to_be_visible(timeout=30_000)
    page.evaluate("window.notReloaded = true")
    card.locator("button.save").click()
    expect(card.locator("button.undo")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True


def test_the_chat_page_with_a_list_has_no_accessibility_violations(services_app, page):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    sign_up_and_start_a_conversation(page, services_app.base_url)
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
    page.fill("#composer-text", ANSWERS)
    page.press("#composer-text", "Enter")
    expect(page.locator(".college-card").first).to_be_visible(timeout=30_000)
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations] == []


def test_on_a_phone_the_composer_and_the_newest_message_are_in_view(services_app, browser):
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_up_and_start_a_conversation(page, services_app.base_url)
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
    page.fill("#composer-text", ANSWERS)
    page.press("#composer-text", "Enter")
    expect(page.locator(".message.coach")).to_have_count(2, timeout=30_000)
    expect(page.locator("#composer-text")).to_be_in_viewport()
    expect(page.locator(".message.coach").last).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.context.close()
