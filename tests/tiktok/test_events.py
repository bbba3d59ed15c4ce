"""The Events API: batches are all-or-nothing and personal data must arrive hashed."""
from __future__ import annotations

import time

import pytest

from server.tiktok import TikTokRequestError
from server.tiktok.events import hash_email, hash_phone, sha256_hex, track_events


def event(n: int, **user) -> dict:
    return {"event": "Purchase", "event_time": int(time.time()), "event_id": f"ord_{n}",
            "user": {"ttp": "ttp-cookie", **user}, "page": {"url": f"https://shop.example/order/{n}"},
            "properties": {"currency": "USD", "value": 20.0, "content_type": "product",
                           "contents": [{"content_id": "SKU1", "price": 10.0, "quantity": 2}]}}


def test_hashing_follows_tiktoks_examples():
    assert hash_email(" ALICE_abc@gmail.com ") == "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f"
    assert hash_phone("(+1)2133734253") == "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd"
    assert sha256_hex("user_123") == "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b"
    assert hash_email(hash_email("a@b.c")) == hash_email("a@b.c")


def test_hashed_events_are_accepted(tiktok_emulator, client):
    events = [event(1, email=hash_email("a@example.com")), event(2, phone=[hash_phone("+5511999990000")])]
    track_events(client, tiktok_emulator.pixel_code, events, test_event_code="TEST123")
    received = tiktok_emulator.events(tiktok_emulator.pixel_code)
    assert [e["event_id"] for e in received] == ["ord_1", "ord_2"]
    assert received[0]["test_event_code"] == "TEST123"


def test_unhashed_email_rejects_the_whole_batch(tiktok_emulator, client):
    events = [event(1), event(2, email="alice@example.com")]
    with pytest.raises(TikTokRequestError) as caught:
        track_events(client, tiktok_emulator.pixel_code, events)
    assert caught.value.code == 40062
    assert "alice@example.com" not in str(caught.value)
    assert tiktok_emulator.events() == []


def test_an_event_without_page_url_rejects_the_batch(tiktok_emulator, client):
    bad = event(2)
    del bad["page"]
    with pytest.raises(TikTokRequestError) as caught:
        track_events(client, tiktok_emulator.pixel_code, [event(1), bad])
    assert caught.value.code == 40002 and "data[1]" in caught.value.message
    assert tiktok_emulator.events() == []


def test_more_than_1000_events_are_refused(tiktok_emulator, client):
    with pytest.raises(TikTokRequestError):
        track_events(client, tiktok_emulator.pixel_code, [event(n) for n in range(1001)])
    assert tiktok_emulator.requests("event/track/") == []
    with pytest.raises(TikTokRequestError) as caught:
        client.post("event/track/", {"event_source": "web", "event_source_id": tiktok_emulator.pixel_code,
                                     "data": [event(n) for n in range(1001)]})
    assert caught.value.code == 40061
    track_events(client, tiktok_emulator.pixel_code, [event(n) for n in range(1000)])
    assert len(tiktok_emulator.events()) == 1000
