"""Family sign-up, login and logout pages."""

import pytest
from django.contrib.auth import get_user_model

from aviator.roles import Role, role_of

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-enough-pass-42"


def sign_up(client, email="erin@example.com", password=PASSWORD, again=None):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password": password, "password_again": again or password},
    )


def test_signing_up_creates_a_family_account(client):
    sign_up(client)
    assert role_of(get_user_model().objects.get(email="erin@example.com")) == Role.FAMILY


def test_signing_up_logs_the_family_in_and_opens_their_conversations(client):
    response = sign_up(client)
    assert response.url == "/conversations/"
    assert client.get("/conversations/").status_code == 200


def test_signing_up_with_a_taken_email_is_refused(client, family_alice):
    response = sign_up(client, email="ALICE@example.com")
    assert "already exists" in response.content.decode()


def test_signing_up_with_different_passwords_is_refused(client):
    sign_up(client, again="something-else-42")
    assert not get_user_model().objects.exists()


def test_signing_up_with_a_weak_password_is_refused(client):
    response = sign_up(client, password="123")
    assert not get_user_model().objects.exists()
    assert "too short" in response.content.decode()


def test_a_family_logs_in_with_their_email(client, family_alice):
    response = client.post(
        "/accounts/login/", {"username": "alice@example.com", "password": PASSWORD}
    )
    assert response.url == "/conversations/"


def test_a_wrong_password_does_not_log_in(client, family_alice):
    client.post("/accounts/login/", {"username": "alice@example.com", "password": "wrong"})
    assert client.get("/conversations/").status_code == 302


def test_logging_out_ends_the_session(client, family_alice):
    client.force_login(family_alice)
    client.post("/accounts/logout/")
    assert client.get("/conversations/").url.startswith("/accounts/login/")


def test_staff_roles_can_reach_the_admin_site_and_families_cannot(family_alice, admin_dan):
    assert (family_alice.is_staff, admin_dan.is_staff, admin_dan.is_superuser) == (
        False,
        True,
        True,
    )
