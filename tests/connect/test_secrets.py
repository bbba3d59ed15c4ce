"""No secret (access token, app secret, auth code) in logs, pages, the audit log or job arguments."""
import json
import logging

import pytest

from server.catalog.sync.tiktok_target import catalog_target
from server.models.audit import AuditEntry
from server.models.job import Job
from server.security import decrypt_secret
from server.tiktok import TikTokAuthError
from server.tiktok.catalogs import catalog_overview
from tests.accounts import post_form
from tests.connect.helpers import come_back, connection_of, owner_store, query, start, state_of


def test_no_secret_leaves_a_trace_anywhere(client, session, tiktok_emulator, caplog):
    caplog.set_level(logging.DEBUG)
    store = owner_store(client)
    secrets, pages = [tiktok_emulator.app_secret], []

    def visit(path):
        pages.append(client.get(path).get_data(as_text=True))

    # Connect through the consent page, choose the account, look at every page.
    url = start(client, store)
    back = tiktok_emulator.authorize(query(url)["redirect_uri"], state_of(url))
    secrets.append(back["auth_code"])
    response = come_back(client, **back)
    pages.append(response.get_data(as_text=True))
    visit(response.location)
    done = post_form(client, f"/stores/{store.public_key}/tiktok/setup",
                     {"advertiser_id": tiktok_emulator.advertiser_ids[0]})
    for path in (done.location, f"/stores/{store.public_key}", f"/stores/{store.public_key}/activity",
                 f"/stores/{store.public_key}/pixel", f"/api/v1/stores/{store.public_key}"):
        visit(path)
    first_token = decrypt_secret(connection_of(store).access_token)
    secrets.append(first_token)

    # TikTok revokes the token: the next call disconnects the store.
    tiktok_emulator.revoke(first_token)
    target = catalog_target(session, store)
    with pytest.raises(TikTokAuthError) as refused:
        catalog_overview(target.client, target.bc_id, target.catalog_id)
    pages.append(str(refused.value))
    visit(f"/stores/{store.public_key}/tiktok")

    # Connect again (the spent auth code is refused on the way), then disconnect with a failing revoke.
    spent = come_back(client, auth_code=back["auth_code"], state=state_of(start(client, store)))
    pages.append(spent.get_data(as_text=True))
    code = tiktok_emulator.issue_auth_code(advertiser_ids=tiktok_emulator.advertiser_ids[:1])
    secrets.append(code)
    come_back(client, auth_code=code, state=state_of(start(client, store)))
    secrets.append(decrypt_secret(connection_of(store).access_token))
    tiktok_emulator.add_fault("code", path="oauth2/revoke_token/", code=40105, count=1)
    gone = post_form(client, f"/stores/{store.public_key}/tiktok/disconnect", {"confirm": "yes"})
    visit(gone.location)
    visit(f"/stores/{store.public_key}/activity")

    audit = json.dumps([[e.actor, e.action, e.details] for e in session.query(AuditEntry).all()])
    jobs = json.dumps([j.args for j in session.query(Job).all()])
    reason = session.get(type(store), store.id).tiktok_state_reason
    everything = {"logs": caplog.text, "pages": "\n".join(pages), "audit": audit, "jobs": jobs, "reason": reason}
    assert "secret=[redacted]" in caplog.text and "disconnected from TikTok" in caplog.text  # DEBUG was on
    for where, text in everything.items():
        for secret in secrets:
            assert secret not in text, f"a secret is in the {where}"
