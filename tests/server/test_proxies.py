"""Behind a reverse proxy: the client's address comes from X-Forwarded-For only when told to trust it."""
import pytest

from tests.accounts import PASSWORD, another_app, cheap_hashing, csrf_token, make_user  # noqa: F401


def sign_in_from(client, address, email, password="wrong password!"):
    """A sign-in post that arrived through a proxy, which says it came from ``address``."""
    return client.post("/signin", data={"email": email, "password": password, "csrf_token": csrf_token(client)},
                       headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": "10.0.0.2"})


@pytest.fixture
def app_config(app_config):
    app_config["TTC_SIGN_IN_MAX_FAILURES_PER_IP"] = 3
    return app_config


def test_behind_one_proxy_each_shopper_address_has_its_own_sign_in_limit(app_config, session):
    with another_app({**app_config, "TTC_TRUSTED_PROXIES": 1}) as behind_nginx:
        make_user()
        client = behind_nginx.test_client()
        for n in range(3):
            sign_in_from(client, "198.51.100.1", f"guess{n}@example.com")

        assert sign_in_from(client, "198.51.100.1", "ana@example.com", PASSWORD).status_code == 429
        # Another address behind the same proxy is not locked out with the guesser.
        assert sign_in_from(client, "198.51.100.2", "ana@example.com", PASSWORD).status_code == 302


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(client, session):
    make_user()
    for n in range(3):
        sign_in_from(client, f"198.51.100.{n}", f"guess{n}@example.com")

    assert sign_in_from(client, "198.51.100.9", "ana@example.com", PASSWORD).status_code == 429
