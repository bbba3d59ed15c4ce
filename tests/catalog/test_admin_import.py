"""Importing a feed from the Catalog page: by upload or by URL, as a background job, with its
progress readable while it runs and the import's summary at the end."""
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from server.catalog.intake import imports
from server.jobs.runner import run_due
from server.models.job import Job
from tests.accounts import add_to_store, cheap_hashing, csrf_token, make_user, sign_in  # noqa: F401
from tests.catalog.admin_feeds import SlowFeedServer, csv_feed
from tests.catalog.helpers import states


@pytest.fixture
def owner(client, store):
    """The store's owner, signed in on ``client``."""
    add_to_store(store, make_user(), "owner")
    sign_in(client)
    return client


def _start(client, store, **data):
    path = f"/stores/{store.public_key}/catalog"
    return client.post(f"{path}/import", data={"csrf_token": csrf_token(client, path), **data},
                       content_type="multipart/form-data")


def test_an_uploaded_feed_is_imported_by_a_job_and_its_summary_shown(app, owner, store, session):
    response = _start(owner, store, feed=(io.BytesIO(csv_feed(30, bad=["BAD,short\n"])), "produtos.csv"))
    assert response.status_code == 302 and "/catalog/imports/" in response.location
    waiting = owner.get(response.location).get_data(as_text=True)
    assert "Waiting to start" in waiting and 'id="import-bar"' in waiting
    job = session.execute(select(Job).where(Job.kind == imports.IMPORT_JOB)).scalar_one()
    assert set(job.args) == {"store_id", "ticket", "options"}  # no feed, no URL in the job's arguments

    run_due(app, "test-runner")

    page = owner.get(response.location).get_data(as_text=True)
    assert "Import finished" in page and "produtos.csv" in page
    assert 'id="import-summary"' in page and "Received</dt><dd>31" in page.replace("\n", "")
    assert "has 2 columns" in page  # the refused row, with its line
    assert len(states(store)) == 30
    polled = owner.get(response.location + "?format=json").get_json()
    assert polled["finished"] is True and polled["state"] == "done"
    assert not list(Path(app.instance_path, "imports").glob("*.feed"))  # the upload is not kept


def test_a_feed_url_is_fetched_and_its_progress_polled(app, owner, store, session):
    app.config["TTC_FEED_ALLOW_PRIVATE_HOSTS"] = "127.0.0.1"
    with SlowFeedServer(csv_feed(200)) as shop:
        response = _start(owner, store, url=shop.url, mode="merge")
        run_due(app, "test-runner")
    polled = owner.get(response.location + "?format=json").get_json()
    assert polled["bytes"] == polled["total_bytes"] == len(csv_feed(200))
    page = owner.get(response.location).get_data(as_text=True)
    assert "added to the catalog (nothing removed)" in page and "Import finished" in page
    assert len(states(store)) == 200
    job = session.execute(select(Job).where(Job.kind == imports.IMPORT_JOB)).scalar_one()
    assert job.args["options"] == {"replace": False}


def test_a_private_address_is_refused_and_the_failure_said(app, owner, store, session):
    with SlowFeedServer(csv_feed(5)) as shop:
        response = _start(owner, store, url=shop.url)
        run_due(app, "test-runner")
    page = owner.get(response.location).get_data(as_text=True)
    assert "The import failed" in page and "127.0.0.1" in page
    assert states(store) == {}


def test_bad_input_does_not_start_an_import(owner, store, session):
    response = _start(owner, store, url="ftp://shop.example.com/feed.csv")
    assert response.status_code == 302
    assert "starting with https://" in owner.get(response.location).get_data(as_text=True)
    empty = _start(owner, store, feed=(io.BytesIO(b""), "empty.csv"))
    assert "the file is empty" in owner.get(empty.location).get_data(as_text=True)
    assert session.execute(select(Job).where(Job.kind == imports.IMPORT_JOB)).first() is None


def test_the_shrink_box_is_passed_to_the_import_only_when_ticked():
    assert imports.import_options() == {"replace": True}
    assert imports.import_options(merge=True, allow_shrink=True) == {"replace": False, "allow_shrink": True}


def test_an_upload_over_the_limit_is_refused_before_it_is_read(app, owner, store, session):
    app.config["TTC_CATALOG_UPLOAD_MAX_BYTES"] = 1000
    response = _start(owner, store, feed=(io.BytesIO(csv_feed(100)), "big.csv"))
    assert response.status_code == 413


def test_another_stores_import_is_not_found(app, client, store, session):
    from tests.factories import make_store

    other = make_store(name="Outra")
    add_to_store(other, make_user("carl@example.com"), "owner")
    add_to_store(store, make_user(), "owner")
    sign_in(client)
    response = _start(client, store, feed=(io.BytesIO(csv_feed(3)), "p.csv"))
    job_id = response.location.rsplit("/", 1)[1]
    client.post("/signout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, "carl@example.com")
    assert client.get(f"/stores/{other.public_key}/catalog/imports/{job_id}").status_code == 404


def test_an_empty_catalog_explains_the_three_ways_in(owner, store, app):
    page = owner.get(f"/stores/{store.public_key}/catalog").get_data(as_text=True)
    assert "How products come in" in page
    assert f"flask --app wsgi catalog import products.xml --store {store.public_key}" in page
    assert f"{app.config['TTC_PUBLIC_URL']}/api/v1/stores/{store.public_key}/products" in page
    assert f"{app.config['TTC_PUBLIC_URL']}/hooks/{store.public_key}/products" in page


def test_what_old_imports_left_in_the_instance_folder_is_removed(app, session):
    import os

    folder = Path(app.instance_path, "imports")
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / "old.progress", folder / "fresh.progress"
    old.write_text("{}")
    fresh.write_text("{}")
    os.utime(old, (0, 0))
    imports.forget_old_tickets(app, session)
    assert not old.exists() and fresh.exists()
