"""The pixel endpoints shoppers' browsers load on every page view."""
import json
import multiprocessing
import os
import time

import pytest

from server.board import VersionBoard, slot_for
from server.extensions import db
from server.stores import service
from tests.factories import PIXEL_CODE, make_store


@pytest.fixture
def store(session):
    return make_store(domains=["loja.example.com", "www.loja.example.com"])


def _config(client, key, **headers):
    response = client.get(f"/pixel/{key}/config.json", headers=headers)
    assert response.status_code == 200
    return response


def test_config_json_carries_only_public_fields(client, store):
    config = _config(client, store.public_key).get_json()
    assert config == {
        "enabled": True, "pixel_code": PIXEL_CODE,
        "events": ["ViewContent", "AddToCart", "Purchase", "InitiateCheckout", "AddPaymentInfo", "Search"],
        "order_event": "Purchase", "currency": "BRL", "consent_mode": "none", "advanced_matching": False,
        # The loader stays quiet on any other host; browsers reading this JSON cross-site still need CORS.
        "domains": ["loja.example.com", "www.loja.example.com"],
    }


def test_script_carries_the_same_configuration(client, store):
    response = client.get(f"/pixel/{store.public_key}.js")
    assert response.status_code == 200
    assert response.content_type.startswith("application/javascript")
    assert PIXEL_CODE in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_key_is_a_json_404(client, session):
    for path in ("/pixel/nosuchstorekey00000.js", "/pixel/nosuchstorekey00000/config.json"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_disabled_or_disconnected_store_answers_enabled_false(client, store, session):
    service.update_store(session, store, pixel_enabled=False)
    config = _config(client, store.public_key).get_json()
    assert config["enabled"] is False and config["pixel_code"] is None and config["events"] == []
    service.update_store(session, store, pixel_enabled=True)
    assert _config(client, store.public_key).get_json()["enabled"] is True
    store.tiktok_state = "disconnected"
    db.session.commit()
    assert _config(client, store.public_key).get_json()["enabled"] is False


def test_strong_etag_and_304(client, store):
    for path in (f"/pixel/{store.public_key}.js", f"/pixel/{store.public_key}/config.json"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
        assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_cache_control_lets_a_disconnect_reach_browsers_within_minutes(client, store):
    cache_control = _config(client, store.public_key).headers["Cache-Control"]
    directives = dict(part.strip().partition("=")[::2] for part in cache_control.split(","))
    assert "public" in directives
    assert int(directives["max-age"]) + int(directives["stale-while-revalidate"]) <= 300


def test_cors_only_for_the_stores_own_origins(client, store):
    ok = _config(client, store.public_key, Origin="https://www.loja.example.com")
    assert ok.headers["Access-Control-Allow-Origin"] == "https://www.loja.example.com"
    assert "Origin" in ok.headers["Vary"]
    foreign = _config(client, store.public_key, Origin="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in foreign.headers
    preflight = client.options(f"/pixel/{store.public_key}/config.json",
                               headers={"Origin": "https://loja.example.com",
                                        "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://loja.example.com"


def test_head_works_with_the_same_headers(client, store):
    path = f"/pixel/{store.public_key}.js"
    for _ in range(2):  # first a cache miss, then the fast path
        get, head = client.get(path), client.head(path)
        assert head.status_code == 200 and head.data == b""
        assert head.headers["ETag"] == get.headers["ETag"]
        assert head.headers["Content-Length"] == str(len(get.data))


def test_cached_answers_do_not_touch_the_database(app, client, store):
    from sqlalchemy import event

    path = f"/pixel/{store.public_key}/config.json"
    client.get(path)
    statements = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for _ in range(20):
        assert client.get(path).status_code == 200
        assert client.get(f"/pixel/{store.public_key}.js").status_code == 200
    assert statements == []


def test_a_change_is_visible_at_once(client, store, session):
    path = f"/pixel/{store.public_key}/config.json"
    etag = _config(client, store.public_key).headers["ETag"]
    service.update_store(session, store, order_event="PlaceAnOrder")
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["events"][2] == "PlaceAnOrder"


def _change_in_another_process(app_config, key):
    from server.app import create_app

    app = create_app(app_config)
    with app.app_context():
        store = service.get_store(db.session, key)
        service.update_store(db.session, store, consent_mode="hold")
        db.engine.dispose()


def test_a_change_made_by_another_process_is_visible_at_once(app_config, client, store):
    _config(client, store.public_key)
    process = multiprocessing.get_context("spawn").Process(
        target=_change_in_another_process, args=(app_config, store.public_key))
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert _config(client, store.public_key).get_json()["consent_mode"] == "hold"


def test_hostile_store_values_cannot_break_out_of_the_script(client, session):
    store = make_store(name="</script><!--", domains=["loja.example.com"])
    body = client.get(f"/pixel/{store.public_key}.js").get_data(as_text=True)
    assert "</script" not in body.lower() and "<!--" not in body
    assert "\u2028" not in body and "\u2029" not in body


def test_json_body_is_valid_and_stable(client, store):
    first = _config(client, store.public_key)
    assert json.loads(first.data) == first.get_json()
    assert _config(client, store.public_key).headers["ETag"] == first.headers["ETag"]


def test_the_ecwid_script_is_served_and_cached_like_the_loader(app, client, store):
    import snippets

    first = client.get(f"/pixel/{store.public_key}/ecwid.js")
    again = client.get(f"/pixel/{store.public_key}/ecwid.js", headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200 and first.content_type.startswith("application/javascript")
    assert first.get_data(as_text=True) == snippets.render_ecwid(store.public_key, app.config["TTC_PUBLIC_URL"])
    assert f'{app.config["TTC_PUBLIC_URL"]}/pixel/{store.public_key}.js' in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == client.get(f"/pixel/{store.public_key}.js").headers["Cache-Control"]
    assert again.status_code == 304
    assert client.get("/pixel/no-such-store/ecwid.js").status_code == 404


def test_the_ecwid_script_is_answered_on_the_fast_path():
    from server.pixel.edge import parse_path

    assert parse_path("/pixel/abc/ecwid.js") == ("abc", "ecwid")
    assert parse_path("/pixel/abc.js") == ("abc", "script")
    assert parse_path("/pixel/a/b/ecwid.js") is None


def test_a_board_mapped_before_the_fork_shows_each_process_the_others_changes(tmp_path):
    # gunicorn preloads the app (the board is mapped) and then forks its workers.
    board = VersionBoard(tmp_path / "versions.board")
    slot = slot_for("store-key")
    assert board.read(slot) == 0
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: change the store, wait for the parent's change, report what it read
        board.bump(["store-key"])
        deadline = time.monotonic() + 30
        while board.read(slot) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.write(write_end, str(board.read(slot)).encode())
        os._exit(0)
    deadline = time.monotonic() + 30
    while board.read(slot) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    seen_from_worker = board.read(slot)
    board.bump(["store-key"])
    os.close(write_end)
    reported = os.read(read_end, 100).decode()
    os.waitpid(pid, 0)
    assert (seen_from_worker, reported) == (1, "2")
