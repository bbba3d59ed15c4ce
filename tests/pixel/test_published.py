"""Pixel scripts published as files for nginx to serve (TTC_PIXEL_PUBLISH_DIR): the files nginx finds,
their ETag as nginx computes it, and what removes them."""
import logging
import multiprocessing
import os
import stat
import time

import pytest

from server.extensions import db
from server.pixel import published as published_module
from server.pixel.representation import file_time, strong_etag
from server.stores import service
from tests.factories import PIXEL_CODE, make_store
from tests.pixel.test_pixel import _change_in_another_process


@pytest.fixture(autouse=True)
def folder(app_config, tmp_path):
    """Every app in this module publishes (set before the app is built)."""
    path = tmp_path / "published"
    app_config["TTC_PIXEL_PUBLISH_DIR"] = str(path)
    return path


@pytest.fixture
def store(folder, session):
    return make_store(domains=["loja.example.com"])


@pytest.fixture
def publisher(app):
    return app.extensions["ttc_pixel"].publisher


def _files(folder, key):
    return {"script": folder / "pixel" / f"{key}.js", "ecwid": folder / "pixel" / key / "ecwid.js"}


def _nginx_etag(path):
    """The ETag nginx sends for a static file: its mtime and size in hex."""
    info = path.stat()
    return f'"{int(info.st_mtime):x}-{info.st_size:x}"'


def _urls(key):
    return {"script": f"/pixel/{key}.js", "ecwid": f"/pixel/{key}/ecwid.js"}


def test_the_etag_is_the_one_nginx_computes_for_a_file_of_those_bytes():
    body = b"(function(){})();"
    assert strong_etag(body) == f'"{file_time(body):x}-{len(body):x}"'
    assert strong_etag(body) == strong_etag(bytes(body))  # every worker gives the same bytes the same ETag
    assert strong_etag(body + b" ") != strong_etag(body)
    assert strong_etag(body.replace(b"{}", b"{;")) != strong_etag(body)  # same size, other bytes
    assert 0 <= file_time(body) < 2**31


def test_a_script_that_reaches_the_app_is_published_with_its_bytes_and_etag(client, store, folder):
    for kind, url in _urls(store.public_key).items():
        response = client.get(url)
        assert response.status_code == 200
        path = _files(folder, store.public_key)[kind]
        assert path.read_bytes() == response.data
        assert _nginx_etag(path) == response.headers["ETag"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # nginx's user reads it
        # nginx keeps the app's own answer one second: the file takes over at once
        assert response.headers["X-Accel-Expires"] == "1"
    assert not list(folder.glob("**/*.tmp"))


def test_config_json_and_unknown_keys_are_not_published(client, store, folder):
    assert client.get(f"/pixel/{store.public_key}/config.json").status_code == 200
    assert client.get("/pixel/nosuchstorekey00000.js").status_code == 404
    written = sorted(p.relative_to(folder).as_posix() for p in folder.glob("**/*") if p.is_file())
    assert written == []


def test_a_committed_change_removes_the_files_and_the_next_request_writes_the_new_bytes(
        client, store, folder, session):
    first = client.get(_urls(store.public_key)["script"])
    files = _files(folder, store.public_key)
    assert files["script"].exists()
    service.update_store(session, store, consent_mode="hold")
    assert not files["script"].exists() and not files["ecwid"].exists()
    second = client.get(_urls(store.public_key)["script"])
    assert b'"consent_mode":"hold"' in second.data
    assert files["script"].read_bytes() == second.data
    assert _nginx_etag(files["script"]) == second.headers["ETag"] != first.headers["ETag"]


def test_a_disconnect_republishes_the_script_with_the_pixel_off(client, store, folder):
    client.get(_urls(store.public_key)["script"])
    store.tiktok_state = "disconnected"
    db.session.commit()
    client.get(_urls(store.public_key)["script"])
    text = _files(folder, store.public_key)["script"].read_text()
    assert '"enabled":false' in text and PIXEL_CODE not in text


def test_a_change_committed_by_another_process_removes_the_files(app_config, client, store, folder):
    client.get(_urls(store.public_key)["script"])
    process = multiprocessing.get_context("spawn").Process(
        target=_change_in_another_process, args=(app_config, store.public_key))
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert not _files(folder, store.public_key)["script"].exists()


def test_a_file_written_while_its_store_changed_is_removed_again(app, client, store, folder, publisher):
    client.get(_urls(store.public_key)["script"])
    entry = app.extensions["ttc_pixel"].cache.fresh(store.public_key)
    for path in _files(folder, store.public_key).values():
        path.unlink()
    # A change committed between reading the store and writing its files: the board moved.
    app.extensions["ttc_pixel"].board.bump([store.public_key])
    publisher._checked.clear()
    publisher.ensure(store.public_key, entry)
    assert not _files(folder, store.public_key)["script"].exists()


def test_files_older_than_the_revalidation_period_are_swept(app, client, store, folder, publisher):
    client.get(_urls(store.public_key)["script"])
    client.get(_urls(store.public_key)["ecwid"])
    left_by_a_crash = folder / "pixel" / f"{store.public_key}.js.0a1b2c3d.tmp"
    left_by_a_crash.write_bytes(b"half")
    assert publisher.sweep() == 0
    period = app.config["TTC_PIXEL_REVALIDATE_SECONDS"]
    assert publisher.sweep(now=time.time() + period + 1) == 3
    assert not any(path.exists() for path in _files(folder, store.public_key).values())
    assert not left_by_a_crash.exists()


def test_the_server_process_sweeps_on_its_own(app_config, folder, request):
    # A change committed on another host bumps no board here: the files age out instead.
    app_config["TTC_PIXEL_REVALIDATE_SECONDS"] = 1
    request.getfixturevalue("session")
    client = request.getfixturevalue("client")
    store = make_store()
    client.get(_urls(store.public_key)["script"])
    path = _files(folder, store.public_key)["script"]
    assert path.exists()
    deadline = time.monotonic() + 15
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not path.exists()
    assert (folder / published_module.SWEPT).exists()


def test_a_folder_that_cannot_be_written_leaves_the_app_answering(app_config, tmp_path, request, caplog):
    (tmp_path / "a-file").write_text("not a folder")
    app_config["TTC_PIXEL_PUBLISH_DIR"] = str(tmp_path / "a-file" / "published")
    request.getfixturevalue("session")
    client = request.getfixturevalue("client")
    store = make_store()
    with caplog.at_level(logging.WARNING, logger="server.pixel.published"):
        response = client.get(_urls(store.public_key)["script"])
    assert response.status_code == 200 and b"pixel_code" in response.data
    assert any("could not publish" in record.getMessage() and store.public_key in record.getMessage()
               for record in caplog.records)


def test_a_stores_files_are_checked_again_after_a_second_not_on_every_request(client, store, folder, monkeypatch):
    url, path = _urls(store.public_key)["script"], _files(folder, store.public_key)["script"]
    client.get(url)
    path.unlink()
    client.get(url)
    assert not path.exists()  # nginx sent this one on: at most a request a second writes
    monkeypatch.setattr(published_module, "RECHECK_SECONDS", 0.0)
    client.get(url)
    assert path.exists()


def test_publishing_is_off_unless_a_folder_is_set(app_config, request):
    app_config["TTC_PIXEL_PUBLISH_DIR"] = ""
    app = request.getfixturevalue("app")
    request.getfixturevalue("session")
    client = app.test_client()
    store = make_store()
    response = client.get(_urls(store.public_key)["script"])
    assert app.extensions["ttc_pixel"].publisher is None
    assert "X-Accel-Expires" not in response.headers
    assert not [name for name in os.listdir(app.instance_path) if name.endswith(".js")]


def test_a_sweeper_that_cannot_use_its_folder_warns_once_a_minute_and_keeps_going(tmp_path, caplog):
    under_a_file = tmp_path / "a-file"
    under_a_file.write_text("not a folder")
    assert published_module.Publisher(str(under_a_file / "published"), None, 1)._sweep_if_due(0.5) is None
    blocked = tmp_path / "published"
    marker = blocked / published_module.SWEPT
    marker.mkdir(parents=True)  # the marker cannot be written
    os.utime(marker, (0, 0))  # and says no sweep was made lately
    publisher = published_module.Publisher(str(blocked), None, 1)
    with caplog.at_level(logging.WARNING, logger="server.pixel.published"):
        for _turn in range(3):  # three turns of the sweeper thread
            publisher._sweep_guarded(0.5)
    said = [record for record in caplog.records if record.name == "server.pixel.published"]
    assert len(said) == 1 and said[0].levelno == logging.WARNING and not said[0].exc_info
    assert str(blocked) in said[0].getMessage() and "Is a directory" in said[0].getMessage()
