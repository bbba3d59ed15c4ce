"""A TikTok that fails one call in five (HTTP 5xx, timeouts, 40100 throttling): the catalog still
ends up exactly as the store has it, and nothing is sent again once it is."""
import pytest

from server.catalog import service
from tests.catalog.helpers import item, remote, states


@pytest.fixture
def app_config(app_config):
    """Short timeouts and retry pauses, and only two tries per call, so whole-job retries happen too."""
    app_config.update(TTC_TIKTOK_TIMEOUT=0.5, TTC_TIKTOK_CONNECT_TIMEOUT=0.5, TTC_TIKTOK_MAX_ATTEMPTS=2,
                      TTC_CATALOG_RETRY_SECONDS=0.05, TTC_CATALOG_UPLOAD_BATCH=20)
    return app_config


def test_a_failing_tiktok_still_converges(runner, session, store, tiktok_emulator):
    service.put_categories(session, store, [{"id": "sale", "name": "Sale"}])
    service.push_products(session, store, [item(f"P-{n}", categories=["sale"] if n % 5 == 0 else [])
                                           for n in range(120)])
    for kind, extra in (("http_error", {"status": 503}), ("timeout", {"seconds": 0.8}), ("rate_limit", {})):
        tiktok_emulator.add_fault(kind, rate=0.07, **extra)  # three faults: about one call in five fails

    for change in range(3):
        service.push_products(session, store,
                              [item(f"P-{n}", price=f"{20 + change}.90") for n in range(change, 120, 7)])
        service.delete_product(session, store, f"P-{change * 10 + 1}")
        service.put_categories(session, store, [{"id": "sale", "name": "Sale", "hidden": change == 1}])
        result = runner.invoke(args=["catalog", "sync", "--store", store.public_key])
        assert result.exit_code == 0, result.output

    faults = tiktok_emulator.stats()
    assert faults.get("fault_http_error") and faults.get("fault_timeout") and faults.get("fault_code")
    on_tiktok = remote(tiktok_emulator, store)
    kept = {sku for sku, state in states(store).items() if state != "deleted"}
    assert sorted(on_tiktok) == sorted(kept)
    assert on_tiktok["P-9"]["price_info"]["price"] == 22.9
    tiktok_emulator.clear_faults()
    tiktok_emulator.clear_requests()
    assert runner.invoke(args=["catalog", "sync", "--store", store.public_key]).exit_code == 0
    assert not [r for r in tiktok_emulator.requests() if r["path"] in ("catalog/product/upload/",
                                                                       "catalog/product/delete/")]
