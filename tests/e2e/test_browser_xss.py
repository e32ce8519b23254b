"""Markup a family types stays text on every page that shows it, in headless Chromium.

One family sends the payloads and asks for a counselor; then the family's chat (live and after a
reload), the counselor's inbox and escalation page, and the admin's review list, review page and
Django admin page are each checked: no payload ran, none became an element, and each one reads
as the text the family typed.
"""

import re

import psycopg
import pytest

from tests.e2e.browsing import log_in, sign_up_and_start_a_conversation

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=1</script>",
    "<svg onload=window.__xss=1>",
    '"><b id=injected>bold</b>',
    "javascript:window.__xss=1",
    "![x](javascript:window.__xss=1)",
    "<img src=x onerror=alert(document.domain)>",
]
TO_THE_COACH, WHILE_WAITING = PAYLOADS[:3], PAYLOADS[3:]

# What a payload would have left in the document had it been parsed as markup or run.
SIGNS_OF_INJECTION = """() => ({
    ran: window.__xss !== undefined,
    elements: document.querySelectorAll(
        "#injected, img[src='x'], [onerror], [onload], a[href^='javascript:' i],"
        + " img[src^='javascript:' i]"
    ).length,
    scripts: [...document.scripts].filter((script) => script.text.includes("__xss")).length,
})"""
NONE = {"ran": False, "elements": 0, "scripts": 0}


def opened(browser, dialogs: list[str]):
    """A page in a fresh context that records (and dismisses) any alert, confirm or prompt."""
    page = browser.new_context().new_page()

    def record(dialog):
        dialogs.append(f"{page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", record)
    return page


def family_texts_on(page) -> list[str]:
    return page.locator(".message.family > p").all_inner_texts()


def assert_inert(page, payloads_shown: list[str] = PAYLOADS) -> None:
    """Nothing ran or became an element, and the family messages read as `payloads_shown`."""
    assert page.evaluate(SIGNS_OF_INJECTION) == NONE, page.url
    assert family_texts_on(page) == payloads_shown, page.url


def escalation_of(services_app, conversation_id: str) -> str:
    with psycopg.connect(services_app.env["DATABASE_URL"]) as database:
        return str(
            database.execute(
                "SELECT id FROM handoff_escalation WHERE conversation_id = %s", (conversation_id,)
            ).fetchone()[0]
        )


def test_markup_sent_by_a_family_is_shown_as_text_to_family_counselor_and_admin(
    services_app, browser
):
    from playwright.sync_api import expect

    base = services_app.base_url
    dialogs: list[str] = []
    family = opened(browser, dialogs)
    sign_up_and_start_a_conversation(family, base)
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")
    conversation_id = re.search(r"/conversations/([0-9a-f-]{36})/", family.url).group(1)
    family_email = family.locator(".who").inner_text()

    # The coach answers the first payloads ("Sorry, I didn't catch that"); a few more and it would
    # hand the conversation over by itself, so the family asks for a counselor first and sends
    # the rest while waiting (they are stored, and shown, without a coach reply).
    for count, payload in enumerate(TO_THE_COACH, start=1):
        family.fill("#composer-text", payload)
        family.click("#send")
        expect(family.locator(".message.family")).to_have_count(count)
        expect(family.locator(".message.coach")).to_have_count(count + 1)
    assert_inert(family, TO_THE_COACH)

    family.click("#talk-to-counselor")
    expect(family.locator(".message.system")).to_contain_text("A counselor will join you")
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")
    for count, payload in enumerate(WHILE_WAITING, start=len(TO_THE_COACH) + 1):
        family.fill("#composer-text", payload)
        family.click("#send")
        expect(family.locator(".message.family")).to_have_count(count)
    assert_inert(family)
    family.reload()
    expect(family.locator("#chat")).to_have_attribute("data-connected", "true")
    assert_inert(family)

    counselor = opened(browser, dialogs)
    log_in(counselor, base, "counselor@demo.aviator", "fly-counselor-demo")
    counselor.goto(f"{base}/staff/?queue=unassigned")
    # The inbox lists escalations by their generated summary; no family text is on it.
    assert_inert(counselor, [])
    escalation_id = escalation_of(services_app, conversation_id)
    counselor.locator(f'tr[data-escalation-id="{escalation_id}"] a').click()
    counselor.click("#claim")
    expect(counselor.locator("#chat")).to_have_attribute("data-connected", "true")
    assert_inert(counselor)

    admin = opened(browser, dialogs)
    log_in(admin, base, "admin@demo.aviator", "fly-admin-demo")
    admin.goto(f"{base}/staff/review/?search={family_email}")
    expect(admin.locator("#review-list tbody a")).to_have_count(1)
    assert_inert(admin, [])
    admin.locator("#review-list tbody a").click()
    expect(admin.locator("#timeline")).to_be_visible()
    assert_inert(admin)
    admin.goto(f"{base}/admin/coach/conversation/{conversation_id}/change/")
    expect(admin.locator("#content")).to_contain_text(PAYLOADS[0])
    assert admin.evaluate(SIGNS_OF_INJECTION) == NONE

    assert dialogs == []
