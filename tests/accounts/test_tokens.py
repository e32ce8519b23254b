"""`issue_token` and `revoke_tokens`, and how the API treats the tokens they print."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from aviator.accounts.models import ApiToken
from aviator.accounts.services import token_authenticate, token_issue
from aviator.roles import Role, role_of
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def issue(*args) -> str:
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


def test_it_creates_the_user_with_the_role_when_asked(db):
    issue("new@example.com", "--role", "counselor", "--create")
    assert role_of(get_user_model().objects.get(username="new@example.com")) == Role.COUNSELOR


def test_the_printed_token_authenticates_the_api(family_alice):
    token = issue("alice@example.com", "--role", "family")
    assert ApiClient(token).get("/api/v1/conversations/").status_code == 200


def test_only_a_hash_of_the_token_is_stored(family_alice):
    token = issue("alice@example.com", "--role", "family")
    stored = ApiToken.objects.get()
    assert token not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64


def test_it_refuses_an_unknown_user_without_create(db):
    with pytest.raises(CommandError, match="--create"):
        issue("ghost@example.com", "--role", "family")


def test_it_refuses_a_role_the_user_does_not_have(family_alice):
    with pytest.raises(CommandError, match="has the role family"):
        issue("alice@example.com", "--role", "admin")


def test_it_refuses_something_that_is_not_an_email(db):
    with pytest.raises(CommandError, match="not an e-mail"):
        issue("not-an-email", "--role", "family", "--create")


def test_a_revoked_token_no_longer_authenticates(family_alice):
    token = issue("alice@example.com", "--role", "family")
    call_command("revoke_tokens", "alice@example.com", stdout=io.StringIO())
    assert ApiClient(token).get("/api/v1/conversations/").status_code == 401


def test_a_deactivated_users_token_no_longer_authenticates(family_alice):
    token = issue("alice@example.com", "--role", "family")
    family_alice.is_active = False
    family_alice.save()
    assert ApiClient(token).get("/api/v1/conversations/").status_code == 401


def test_seed_demo_creates_the_three_roles_once(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    roles = sorted(role_of(user) for user in get_user_model().objects.all())
    assert roles == sorted([Role.FAMILY, Role.COUNSELOR, Role.ADMIN])


def test_the_user_a_token_authenticates_comes_with_their_role(
    counselor_carol, django_assert_num_queries
):
    user = token_authenticate(raw_token=token_issue(user=counselor_carol))
    with django_assert_num_queries(0):
        assert role_of(user) == Role.COUNSELOR
