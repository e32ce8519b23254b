"""A family in a real browser (headless Chromium): sign up, start a conversation, chat live."""

import json
import time
from pathlib import Path

import pytest

from tests.e2e.browsing import counselor_claims, sign_up_and_start_a_conversation

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# What the browser tests leave for people to look at (CI keeps var/ as an artifact).
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e"


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

    counselor_claims(counselor, services_app.base_url, family.locator(".who").inner_text())
    expect(counselor.locator("#chat")).to_have_attribute("data-connected", "true")
    expect(family.locator(".message.system").last).to_contain_text(
        "Maya from the counseling team has joined"
    )
    expect(family.locator("#handoff-status")).to_have_text(
        "Maya from the counseling team is with you."
    )

    counselor.fill("#composer-text", "Hi, I'm from the counseling team. What's your budget?")
    counselor.click("#send")
    expect(family.locator(".message.counselor")).to_contain_text("What's your budget?")
    latencies = live_message_latencies(family, counselor)

    counselor.click("#handback")
    expect(counselor.locator(".flash.success")).to_contain_text("Handed back")
    expect(family.locator(".message.system").last).to_contain_text("back with the coach")
    family.fill("#composer-text", "We can pay 20k a year.")
    family.click("#send")
    expect(family.locator(".message.coach").last).to_contain_text("Which states or regions")
    report_latencies(latencies)


def live_message_latencies(family, counselor, rounds: int = 5) -> dict[str, list[float]]:
    """Seconds from send to on-screen, each way, measured in the browsers (reported, not
    asserted: these machines are shared and noisy)."""
    from playwright.sync_api import expect

    measured: dict[str, list[float]] = {"family_to_counselor": [], "counselor_to_family": []}
    for turn in range(rounds):
        for sender, receiver, role, key in (
            (family, counselor, "family", "family_to_counselor"),
            (counselor, family, "counselor", "counselor_to_family"),
        ):
            text = f"{role} live check {turn}"
            started = time.monotonic()
            sender.fill("#composer-text", text)
            sender.press("#composer-text", "Enter")
            expect(receiver.locator(f".message.{role}").last).to_contain_text(text)
            measured[key].append(round(time.monotonic() - started, 3))
    return measured


def report_latencies(latencies: dict[str, list[float]]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "live-message-latency.json").write_text(json.dumps(latencies, indent=2))
    print("live message latency (s):", latencies)


def test_a_counselor_closes_with_a_last_line_and_the_chat_becomes_read_only(services_app, browser):
    from playwright.sync_api import expect

    family = browser.new_context().new_page()
    counselor = browser.new_context().new_page()
    sign_up_and_start_a_conversation(family, services_app.base_url)
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")
    family.click("#talk-to-counselor")
    expect(family.locator("#talk-to-counselor")).to_be_hidden()
    counselor_claims(counselor, services_app.base_url, family.locator(".who").inner_text())
    counselor.click("#close")
    counselor.fill("#closing-line", "Good luck with the applications!")
    counselor.click("#confirm-close")
    expect(counselor.locator(".flash.success")).to_contain_text("Closed")
    expect(family.locator(".message.counselor").last).to_have_text(
        "counselorGood luck with the applications!"
    )
    expect(family.locator("#composer")).to_be_hidden()
    expect(family.locator("#start-new")).to_be_visible()


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
