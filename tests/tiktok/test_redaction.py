"""Secrets never show up in logs or exception messages."""
from __future__ import annotations

import logging

import pytest

from server.logs import RedactingFilter
from server.tiktok import TikTokError, redact
from server.tiktok.oauth import authorized_advertisers, exchange_auth_code, revoke_token

from .conftest import FAST_RETRY, make_client


def test_redact_masks_secret_fields_and_known_values():
    text = redact('Access-Token: abc123xyz secret=s3cr3t&app_id=1 {"auth_code": "code-9"} tail TOKENVALUE',
                  ["TOKENVALUE"])
    for secret in ("abc123xyz", "s3cr3t", "code-9", "TOKENVALUE"):
        assert secret not in text
    assert "app_id=1" in text


def test_redact_masks_structures_and_personal_data():
    data = redact({"access_token": "t", "nested": [{"secret": "s", "email": "e@x"}], "keep": "v"})
    assert data == {"access_token": "[redacted]", "nested": [{"secret": "[redacted]", "email": "[redacted]"}],
                    "keep": "v"}


def test_no_secret_in_logs_or_errors(tiktok_emulator, http, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_client(tiktok_emulator, http, retry=FAST_RETRY)
    code = tiktok_emulator.issue_auth_code()
    grant = exchange_auth_code(app, code)
    store = app.with_token(grant.access_token)
    errors = []
    # TikTok echoing a secret back in its message must not leak it either.
    tiktok_emulator.add_fault("code", path="oauth2/advertiser/get/", code=40002,
                              message=f"bad secret={app.app_secret} token {grant.access_token}")
    with pytest.raises(TikTokError) as caught:
        authorized_advertisers(store)
    errors.append(caught.value)
    tiktok_emulator.clear_faults()
    tiktok_emulator.add_fault("http_error", status=503)
    with pytest.raises(TikTokError) as caught:
        authorized_advertisers(store)
    errors.append(caught.value)
    tiktok_emulator.clear_faults()
    with pytest.raises(TikTokError) as caught:
        exchange_auth_code(app, code)  # already used: message and logs must not carry the code
    errors.append(caught.value)
    revoke_token(store)
    with pytest.raises(TikTokError) as caught:
        authorized_advertisers(store)
    errors.append(caught.value)
    assert caplog.records, "the client logs its calls"
    everything = caplog.text + "".join(f"{e}{e!r}{e.message}" for e in errors)
    for secret in (grant.access_token, app.app_secret, code):
        assert secret not in everything


def test_network_errors_do_not_leak_the_query_string(http):
    # oauth2/advertiser/get/ carries the app secret in its query string by TikTok's design.
    client = make_client(type("E", (), {"url": "http://127.0.0.1:9", "app_id": "1",
                                        "app_secret": "very-secret-value"})(), http, token="tok-abcdef-123")
    with pytest.raises(TikTokError) as caught:
        authorized_advertisers(client)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "very-secret-value" not in str(caught.value)
    assert "tok-abcdef-123" not in str(caught.value)


def test_emulator_request_log_keeps_no_secret(tiktok_emulator, http):
    app = make_client(tiktok_emulator, http)
    code = tiktok_emulator.issue_auth_code()
    grant = exchange_auth_code(app, code)
    revoke_token(app.with_token(grant.access_token))
    logged = str(tiktok_emulator.requests())
    for secret in (grant.access_token, app.app_secret, code):
        assert secret not in logged


LEAKS = [
    # (a line as it could reach a log, the secret in it)
    ("POST /oauth2/refresh_token/ refresh_token=r3fr3shT0k3n&app_id=7", "r3fr3shT0k3n"),
    ('{"refresh_token": "rt-55aa", "advertiser_ids": ["1"]}', "rt-55aa"),
    ("Authorization: Bearer eyJhbGciOi.secretpart", "eyJhbGciOi.secretpart"),
    ("headers {'Access-Token': 'at-998877'}", "at-998877"),
    ("X-Ecwid-Token: secret_4fG7hK", "secret_4fG7hK"),
    ("client_secret=cs-0001&code=abc", "cs-0001"),
    ("webhook_secret = 'wh-9911'", "wh-9911"),
    ("calling with bearer tok-7788 now", "tok-7788"),
    ("GET /hooks/Kx9/vtex/8JwCs9Os HTTP/1.1", "8JwCs9Os"),
]


@pytest.mark.parametrize("line, secret", LEAKS)
def test_one_redactor_masks_the_same_in_logs_and_in_tiktok_errors(line, secret, caplog):
    """The log filter and the TikTok client's redactor are one: neither leaves a secret readable."""
    assert secret not in redact(line)
    record = logging.LogRecord("server.test", logging.INFO, __file__, 1, "%s", (line,), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == redact(line)


def test_bearer_stays_readable_and_names_and_other_values_are_kept():
    assert redact("Authorization: Bearer abc123") == "Authorization: Bearer [redacted]"
    assert redact("refresh_token=rt1&app_id=7") == "refresh_token=[redacted]&app_id=7"
    assert redact({"refresh_token": "rt1", "X-Ecwid-Token": "t", "title": "Blue"}) == {
        "refresh_token": "[redacted]", "X-Ecwid-Token": "[redacted]", "title": "Blue"}
