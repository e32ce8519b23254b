import pytest


@pytest.fixture
def admin_client(client, admin_dan):
    client.force_login(admin_dan)
    return client
