import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from haichieu.testing import build_world

    return build_world()


@pytest.fixture
def client_for(client):
    """Log a test client in as a user: `client_for(world.w1_staff)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
