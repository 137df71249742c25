import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    """Each test starts with no request counted against any token, at a rate no walk reaches (the
    throttling tests set their own)."""
    settings.HAICHIEU = {**settings.HAICHIEU, "API_RATE": "100000/min"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_call(client):
    """`api_call(key, "get", "/members")`: a request to /api/v1 with a bearer key (None: without)."""

    def call(key, method, path, body=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        url = f"/api/v1{path}"
        if method == "post":
            return client.post(url, body or {}, content_type="application/json", **headers)
        return client.get(url, **headers)

    return call
