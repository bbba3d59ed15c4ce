"""Normalising and hashing personal data exactly as TikTok specifies (TIKTOK_API.md 2.3), and bots."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.events import normalise
from server.events.bots import is_bot

# TikTok's published examples.
ALICE = "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f"
PHONE = "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd"
USER_123 = "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b"


def test_hashes_match_tiktoks_published_examples():
    assert normalise.hash_emails(" ALICE_abc@gmail.com ") == [ALICE]
    assert normalise.hash_phones("(+1)2133734253") == [PHONE]
    assert normalise.hash_external_ids("user_123") == [USER_123]
    assert normalise.match_keys(" ALICE_abc@gmail.com ", "(+1)2133734253", "user_123") == {
        "email": [ALICE], "phone": [PHONE], "external_id": [USER_123]}


def test_already_hashed_values_are_kept_and_duplicates_dropped():
    assert normalise.hash_emails([ALICE, ALICE.upper(), "alice_abc@gmail.com", "ALICE_abc@gmail.com"]) == [ALICE]


@pytest.mark.parametrize("raw, country, e164", [
    ("+55 (11) 91234-5678", "BR", "+5511912345678"),
    ("(11) 91234-5678", "BR", "+5511912345678"),  # national: the store's country
    ("0 11 91234-5678", "BR", "+5511912345678"),  # trunk 0 dropped
    ("5511912345678", "BR", "+5511912345678"),  # the code without its "+"
    ("0055 11 91234 5678", "US", "+5511912345678"),  # 00: international prefix
    ("213-373-4253", "US", "+12133734253"),
    ("1 (213) 373-4253", "US", "+12133734253"),
    ("07911 123456", "GB", "+447911123456"),
    ("8 912 345-67-89", "RU", "+79123456789"),
    ("06 1234 5678", "IT", "+390612345678"),  # Italy keeps its 0
    ("+1 213 373 4253", None, "+12133734253"),
])
def test_phones_become_e164(raw, country, e164):
    assert normalise.normalise_phone(raw, country) == e164


@pytest.mark.parametrize("raw", ["12", "+1234567", "not a phone", "", None, ["12"]])
def test_what_cannot_be_a_phone_number_is_left_out(raw):
    assert normalise.hash_phones(raw, "BR") == []


@pytest.mark.parametrize("raw", ["", "   ", "no-at-sign", None, 42, True, ["x"] * 10])
def test_what_cannot_be_an_email_is_left_out(raw):
    assert normalise.hash_emails(raw) == []


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.lists(st.text(), max_size=8),
                 st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3)))
def test_every_match_key_is_a_sha256_hex_digest_whatever_comes_in(value):
    keys = normalise.match_keys(value, value, value, country="BR")

    assert all(normalise.SHA256.match(digest) for values in keys.values() for digest in values)
    assert all(len(values) <= normalise.MAX_VALUES for values in keys.values())


def test_properties_keep_tiktoks_fields_typed_and_drop_the_rest():
    raw = {"value": "49.90", "currency": "brl", "order_id": 1001, "content_type": "product_group",
           "customer_type": "vip", "email": "ana@example.com", "cpf": "123.456.789-00",
           "contents": [{"content_id": 7, "content_name": "Caneca", "price": "9.95", "quantity": "3", "cpf": "x"},
                        "junk", {"price": -1}]}

    assert normalise.properties(raw) == {
        "order_id": "1001", "content_type": "product_group", "currency": "BRL", "value": 49.9,
        "contents": [{"content_id": "7", "content_name": "Caneca", "price": 9.95, "quantity": 3}],
        "content_ids": ["7"]}


@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
                    lambda children: st.lists(children) | st.dictionaries(st.text(), children), max_leaves=20))
def test_properties_never_fail_and_never_carry_unknown_fields(raw):
    cleaned = normalise.properties(raw)

    assert set(cleaned) <= {"currency", "value", "content_type", "content_ids", "num_items", "search_string",
                            "description", "order_id", "shop_id", "customer_type", "contents"}


@pytest.mark.parametrize("user_agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0) Chrome/116.0 Safari/537.36",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124 Mobile Safari/537.36 "
    "(compatible; Bytespider; spider-feedback@bytedance.com)",
    "python-requests/2.31.0", "curl/8.4.0", "",
])
def test_crawlers_and_scripts_are_bots(user_agent):
    assert is_bot(user_agent)


@pytest.mark.parametrize("user_agent", [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36 Edg/124.0.0.0",
    "Mozilla/5.0 (Linux; Android 9; CUBOT X20 PRO) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile "
    "Safari/537.36 musical_ly_2023405030 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly",
])
def test_shoppers_browsers_are_not_bots(user_agent):
    assert not is_bot(user_agent)


def test_headless_chrome_passes_only_when_allowed():
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0 Safari/537.36"

    assert is_bot(agent) and not is_bot(agent, allow_headless=True)
    assert is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)", allow_headless=True)
