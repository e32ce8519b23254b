"""Per-account lockout (django-axes): wrong passwords lock the account, not the address."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-enough-pass-42"


def log_in(email: str, password: str, *, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": email, "password": password}
    )


@pytest.fixture
def locked(family_alice, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # From several addresses: the per-address limit is not what stops them.
        log_in(family_alice.email, "wrong", address=f"10.0.1.{attempt}")
    return family_alice


def test_a_locked_account_is_refused_even_with_its_password(locked):
    response = log_in(locked.email, PASSWORD)
    assert (response.status_code, "Too many wrong passwords" in response.content.decode()) == (
        429,
        True,
    )


def test_the_lockout_page_says_for_how_long(locked, settings):
    page = log_in(locked.email, PASSWORD).content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"locked for {minutes} minutes" in page


def test_another_account_from_the_same_address_still_logs_in(locked, family_bob):
    assert log_in(family_bob.email, PASSWORD, address="10.0.1.0").status_code == 302


def test_an_admin_unlocks_the_account_in_the_admin(locked, admin_client):
    attempts = AccessAttempt.objects.filter(username=locked.email)
    admin_client.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [attempt.pk for attempt in attempts],
            "post": "yes",
        },
    )
    assert log_in(locked.email, PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_resets_the_count(family_alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(family_alice.email, "wrong")
    log_in(family_alice.email, PASSWORD)
    log_in(family_alice.email, "wrong")
    assert log_in(family_alice.email, PASSWORD).status_code == 302
