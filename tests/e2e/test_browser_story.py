"""The whole story in real Chromium: a family, a counselor and an admin, every page checked with
axe-core, a screenshot per step under var/e2e/story/ (CI keeps var/ as an artifact); and the
family's flow done with the keyboard alone."""

import uuid
from pathlib import Path

import pytest

from tests.e2e.browsing import log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STORY = Path(__file__).resolve().parents[2] / "var" / "e2e" / "story"
ANSWERS = "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina."


class Story:
    """Steps of the story: each step leaves a screenshot and the page's axe violations."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        STORY.mkdir(parents=True, exist_ok=True)
        self.axe = Axe()
        self.steps = 0
        self.violations: dict[str, list[tuple[str, str]]] = {}

    def step(self, page, name: str) -> None:
        self.steps += 1
        page.screenshot(path=STORY / f"{self.steps:02}-{name}.png", full_page=True)
        found = self.axe.run(page).response["violations"]
        if found:
            self.violations[name] = [(v["id"], v["impact"]) for v in found]


def signed_up_family(browser, base_url: str, story: Story):
    from playwright.sync_api import expect

    family = browser.new_context().new_page()
    family.goto(f"{base_url}/")
    story.step(family, "landing")
    family.click("text=Create a family account")
    story.step(family, "signup")
    family.fill("#id_email", f"story-{uuid.uuid4().hex[:6]}@example.com")
    family.fill("#id_password", "a-Long-enough-pass-42")
    family.fill("#id_password_again", "a-Long-enough-pass-42")
    family.click("button[type=submit]")
    story.step(family, "conversations")
    family.click("#start-conversation")
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")
    return family


def test_family_counselor_and_admin_through_the_whole_story(services_app, browser):
    from playwright.sync_api import expect

    base = services_app.base_url
    story = Story()
    family = signed_up_family(browser, base, story)
    story.step(family, "chat")

    family.fill("#composer-text", ANSWERS)
    family.press("#composer-text", "Enter")
    cards = family.locator(".college-card")
    expect(cards.first).to_be_visible(timeout=30_000)
    story.step(family, "list")
    for index in range(3):
        cards.nth(index).locator("button.save").click()
        expect(cards.nth(index).locator("button.undo")).to_be_visible()
    story.step(family, "saved")

    family.click("text=Save this list")
    expect(family.locator("#approval button.approve")).to_be_visible()
    story.step(family, "approval")
    family.click("#approval button.approve")
    expect(family.locator(".message.coach").last).to_contain_text("are on My list")

    family.goto(f"{base}/my-list/")
    story.step(family, "my-list")
    for index in range(3):
        family.locator("input[name=unitid]").nth(index).check()
    family.click("#compare")
    expect(family.locator(".compare-table thead th")).to_have_count(3)
    story.step(family, "compare")
    family.go_back()
    family.go_back()
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")

    family.click("#talk-to-counselor")
    expect(family.locator("#handoff-status")).to_contain_text("A counselor has been asked")
    story.step(family, "escalated")

    counselor = browser.new_context().new_page()
    email = family.locator(".who").inner_text()
    counselor.goto(f"{base}/accounts/login/")
    story.step(counselor, "login")
    log_in(counselor, base, "counselor@demo.aviator", "fly-counselor-demo")
    counselor.goto(f"{base}/staff/?queue=unassigned")
    story.step(counselor, "inbox")
    counselor.locator("tr[data-escalation-id]", has_text=email).locator("a").click()
    story.step(counselor, "escalation-packet")
    counselor.click("#claim")
    expect(counselor.locator("#chat")).to_have_attribute("data-connected", "true")
    expect(family.locator("#handoff-status")).to_contain_text("Maya from the counseling team")
    counselor.fill("#composer-text", "Hi! Which of the three do you like most?")
    counselor.press("#composer-text", "Enter")
    expect(family.locator(".message.counselor").last).to_contain_text("Which of the three")
    family.fill("#composer-text", "Davidson, I think.")
    family.press("#composer-text", "Enter")
    expect(counselor.locator(".message.family").last).to_contain_text("Davidson")
    story.step(counselor, "escalation-live")
    counselor.click("#handback")
    expect(counselor.locator(".flash.success")).to_contain_text("Handed back")
    expect(family.locator("#talk-to-counselor")).to_be_visible()
    story.step(family, "handed-back")

    family.click("#talk-to-counselor")
    expect(family.locator("#handoff-status")).to_contain_text("A counselor has been asked")
    counselor.goto(f"{base}/staff/?queue=unassigned")
    counselor.locator("tr[data-escalation-id]", has_text=email).locator("a").click()
    counselor.click("#claim")
    counselor.click("#close")
    counselor.fill("#closing-line", "Good luck with Davidson!")
    story.step(counselor, "closing")
    counselor.click("#confirm-close")
    expect(family.locator("#start-new")).to_be_visible()
    story.step(family, "closed")

    admin = browser.new_context().new_page()
    log_in(admin, base, "admin@demo.aviator", "fly-admin-demo")
    admin.goto(f"{base}/staff/review/?search={email}")
    story.step(admin, "review-list")
    admin.locator("#review-list tbody a").first.click()
    expect(admin.locator(".message.coach .why").first).to_contain_text("Why:")
    story.step(admin, "transcript")
    admin.select_option("#id_verdict", index=1)
    admin.click("#label-form button[type=submit]")
    expect(admin.locator(".event.label")).to_be_visible()
    admin.goto(f"{base}/staff/dashboard/")
    story.step(admin, "dashboard")
    admin.goto(f"{base}/admin/")
    story.step(admin, "admin")
    admin.goto(f"{base}/admin/coach/conversation/")
    story.step(admin, "admin-conversations")

    assert story.violations == {}


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab until `selector` has the focus, and check the focus is visible there."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {selector}"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_family_flow_works_with_the_keyboard_alone(services_app, browser):
    from playwright.sync_api import expect

    family = signed_up_family(browser, services_app.base_url, Story())
    tab_to(family, "#composer-text")
    family.keyboard.type(ANSWERS)
    family.keyboard.press("Enter")
    expect(family.locator(".college-card").first).to_be_visible(timeout=30_000)

    tab_to(family, ".college-card button.save")
    family.keyboard.press("Enter")
    expect(family.locator(".college-card button.undo").first).to_be_focused()

    tab_to(family, "#composer-text")
    family.keyboard.type("Please save this list to My list.")
    family.keyboard.press("Enter")
    expect(family.locator("#approval button.approve")).to_be_visible()
    tab_to(family, "#approval button.approve")
    family.keyboard.press("Enter")
    expect(family.locator(".message.coach").last).to_contain_text("are on My list")

    tab_to(family, "#talk-to-counselor")
    family.keyboard.press("Enter")
    expect(family.locator("#handoff-status")).to_contain_text("A counselor has been asked")
