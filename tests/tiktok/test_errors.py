"""Every TikTok failure becomes the right member of the TikTokError tree, keeping its details."""
from __future__ import annotations

import socket

import pytest
import requests

from server.tiktok import (
    TikTokAppAuthError,
    TikTokAuthError,
    TikTokClient,
    TikTokError,
    TikTokNetworkError,
    TikTokRateLimited,
    TikTokRequestError,
    TikTokTransientError,
)
from server.tiktok.oauth import authorized_advertisers

from .conftest import NO_RETRY, make_client

CODE_FAMILIES = [
    (40001, TikTokAuthError), (40102, TikTokAuthError), (40104, TikTokAuthError), (40105, TikTokAuthError),
    (40106, TikTokAuthError), (40110, TikTokAuthError), (40130, TikTokAuthError),
    (40101, TikTokAppAuthError), (40113, TikTokAppAuthError),
    (40100, TikTokRateLimited), (40016, TikTokRateLimited), (40132, TikTokRateLimited),
    (40133, TikTokRateLimited), (61000, TikTokRateLimited),
    (50000, TikTokTransientError), (50002, TikTokTransientError), (60001, TikTokTransientError),
    (40200, TikTokTransientError), (40201, TikTokTransientError), (40202, TikTokTransientError),
    (40000, TikTokRequestError), (40002, TikTokRequestError), (40007, TikTokRequestError),
    (40011, TikTokRequestError), (40062, TikTokRequestError), (41000, TikTokRequestError),
]


@pytest.mark.parametrize("code, family", CODE_FAMILIES)
def test_envelope_code_maps_to_its_family(tiktok_emulator, client, code, family):
    tiktok_emulator.add_fault("code", path="bc/get/", code=code, message=f"emulated {code}")
    with pytest.raises(family) as caught:
        client.get("bc/get/", {"page": 1, "page_size": 10})
    error = caught.value
    assert error.code == code
    assert error.message == f"emulated {code}"
    assert error.request_id  # kept for support tickets
    assert error.http_status == 200  # TikTok's errors come with HTTP 200


def test_auth_error_without_token_is_raised_before_sending(tiktok_emulator, http):
    client = make_client(tiktok_emulator, http, token=None)
    with pytest.raises(TikTokAuthError):
        client.get("bc/get/")
    assert tiktok_emulator.requests() == []


def test_emulator_rejects_a_missing_token_with_40104(tiktok_emulator, http):
    client = make_client(tiktok_emulator, http, token="")
    with pytest.raises(TikTokAuthError):
        client.get("bc/get/")
    raw = http.get(tiktok_emulator.api_base + "bc/get/", timeout=5).json()
    assert raw["code"] == 40104


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_http_5xx_is_transient(tiktok_emulator, client, status):
    tiktok_emulator.add_fault("http_error", status=status)
    with pytest.raises(TikTokTransientError) as caught:
        client.get("bc/get/")
    assert caught.value.http_status == status and caught.value.code is None


def test_unknown_path_is_a_request_error(client):
    with pytest.raises(TikTokRequestError) as caught:
        client.get("no/such/endpoint/")
    assert caught.value.http_status == 404


def test_unparsable_body_is_transient(tiktok_emulator, client):
    tiktok_emulator.add_fault("garbage")
    with pytest.raises(TikTokTransientError, match="not a TikTok envelope"):
        client.get("bc/get/")


def test_timeout_is_a_network_error_that_may_have_been_processed(tiktok_emulator, http, token):
    client = make_client(tiktok_emulator, http, token=token, timeout=(1.0, 0.2))
    tiktok_emulator.add_fault("timeout", seconds=0.6, count=1)
    with pytest.raises(TikTokNetworkError) as caught:
        client.get("bc/get/")
    assert caught.value.maybe_processed is True
    assert isinstance(caught.value, TikTokTransientError)


def test_refused_connection_is_a_network_error_never_sent(http):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = TikTokClient(http, base_url=f"http://127.0.0.1:{port}", access_token="t" * 40, timeout=1.0,
                          retry=NO_RETRY)
    with pytest.raises(TikTokNetworkError) as caught:
        client.get("bc/get/")
    assert caught.value.maybe_processed is False


def test_revoked_token_raises_auth_error_on_the_next_call(tiktok_emulator, client, token):
    assert authorized_advertisers(client)
    tiktok_emulator.revoke(token)
    with pytest.raises(TikTokAuthError) as caught:
        authorized_advertisers(client)
    assert caught.value.code == 40105


def test_missing_scope_is_an_auth_error(tiktok_emulator, http):
    token = tiktok_emulator.seed_token(scope=[1])["access_token"]
    client = make_client(tiktok_emulator, http, token=token)
    client.get("bc/get/")  # bc scope granted
    with pytest.raises(TikTokAuthError) as caught:
        client.get("pixel/list/", {"advertiser_id": tiktok_emulator.advertiser_ids[0]})
    assert caught.value.code == 40130


def test_other_advertiser_is_an_auth_error(tiktok_emulator, http):
    first, second = tiktok_emulator.advertiser_ids
    client = make_client(tiktok_emulator, http,
                         token=tiktok_emulator.seed_token(advertiser_ids=[first])["access_token"])
    with pytest.raises(TikTokAuthError) as caught:
        client.get("pixel/list/", {"advertiser_id": second})
    assert caught.value.code == 40106


def test_every_error_is_a_tiktok_error_and_not_a_requests_error():
    for _code, family in CODE_FAMILIES:
        assert issubclass(family, TikTokError)
        assert not issubclass(family, requests.RequestException)
