"""Every page carries a Content-Security-Policy that only allows the site's own scripts."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(client, family_alice) -> str:
    client.force_login(family_alice)
    return client.get("/conversations/")["Content-Security-Policy"]


def test_scripts_come_only_from_the_site(policy):
    # The nonce is added only to pages that use it (the admin's); ours load script files.
    assert "script-src 'self';" in policy


def test_pages_cannot_be_framed(policy):
    assert "frame-ancestors 'none'" in policy


def test_the_login_page_has_the_policy_too(client):
    assert "default-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]
