"""Steps a person takes in the browser, shared by the browser tests."""

import uuid


def sign_up_and_start_a_conversation(page, base_url: str) -> None:
    """A new family signs up and opens a conversation; the coach's greeting is on screen after."""
    page.goto(f"{base_url}/accounts/signup/")
    page.fill("#id_email", f"family-{uuid.uuid4().hex[:6]}@example.com")
    page.fill("#id_password", "a-Long-enough-pass-42")
    page.fill("#id_password_again", "a-Long-enough-pass-42")
    page.click("button[type=submit]")
    page.click("#start-conversation")


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def counselor_claims(counselor, base_url: str, family_email: str) -> None:
    """The demo counselor logs in, opens the family's escalation from the inbox and claims it."""
    log_in(counselor, base_url, "counselor@demo.aviator", "fly-counselor-demo")
    counselor.goto(f"{base_url}/staff/?queue=unassigned")
    counselor.locator("tr[data-escalation-id]", has_text=family_email).locator("a").click()
    counselor.click("#claim")
