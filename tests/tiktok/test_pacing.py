"""Pacing across processes: several workers writing to one catalog never trip TikTok's limits."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from server.tiktok import LocalPacer, RateLimits, RedisPacer, TikTokPacingTimeout
from server.tiktok.pacing import UPLOAD

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


def run_workers(emulator, catalog, token, backend, namespace, directory, *, uploads, deletes):
    """Start WORKERS processes together; return their outcome counters."""
    bc_id, catalog_id = catalog
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tests.tiktok.pacing_worker", "--backend", backend, "--namespace", namespace,
         "--dir", str(directory), "--url", emulator.url, "--token", token, "--bc", bc_id,
         "--catalog", catalog_id, "--worker", str(n), "--uploads", str(uploads), "--deletes", str(deletes),
         "--ready-go"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for n in range(WORKERS)]
    try:  # a barrier: every worker has started and set up before any of them writes
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", f"worker {proc.pid} did not start"
    except BaseException:
        for proc in procs:
            proc.kill()
            proc.communicate()
        raise
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outcomes = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes


@pytest.mark.parametrize("backend", ["redis", "local"])
def test_workers_stay_within_limits(tiktok_emulator, catalog, token, tmp_path, redis_prefix, backend):
    namespace = redis_prefix
    outcomes = run_workers(tiktok_emulator, catalog, token, backend, namespace, tmp_path, uploads=4, deletes=1)
    stats = tiktok_emulator.stats()
    assert [o.get("ok") for o in outcomes] == [5] * WORKERS, outcomes
    assert stats.get("rate_limited", 0) == 0
    assert stats.get("write_conflicts", 0) == 0
    assert stats["catalog_writes"] == WORKERS * 5
    assert len(tiktok_emulator.catalog_products(catalog[1])) == WORKERS * 4 * 3 - WORKERS


def test_without_pacing_the_same_load_is_refused(tiktok_emulator, catalog, token, tmp_path):
    # Proves the emulator enforces the limits the pacers respect: this test fails if it does not.
    outcomes = run_workers(tiktok_emulator, catalog, token, "none", "unused", tmp_path, uploads=6, deletes=0)
    stats = tiktok_emulator.stats()
    refused = sum(v for o in outcomes for k, v in o.items() if k not in ("ok", "elapsed_ms"))
    assert stats.get("rate_limited", 0) + stats.get("write_conflicts", 0) == refused > 0


def _hold_lease_script(backend: str, namespace: str, directory: Path) -> str:
    return f"""
import sys, time, redis
from server.tiktok import LocalPacer, RateLimits, RedisPacer
limits = RateLimits(lease_seconds=1.0)
pacer = (RedisPacer(redis.Redis(), limits, namespace={namespace!r}) if {backend!r} == "redis"
         else LocalPacer({str(directory)!r}, limits, namespace={namespace!r}))
with pacer.slot("catalog/product/upload/", "cat-1"):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("backend", ["redis", "local"])
def test_a_killed_writer_does_not_block_the_catalog_forever(tmp_path, redis_client, redis_prefix, backend):
    client, namespace = redis_client, redis_prefix
    proc = subprocess.Popen([sys.executable, "-c", _hold_lease_script(backend, namespace, tmp_path)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        limits = RateLimits(max_wait=0.2)
        pacer = (RedisPacer(client, limits, namespace=namespace) if backend == "redis"
                 else LocalPacer(tmp_path, limits, namespace=namespace))
        with pytest.raises(TikTokPacingTimeout):
            with pacer.slot(UPLOAD, "cat-1"):
                pass
        other_catalog_free = False
        with pacer.slot(UPLOAD, "cat-2"):
            other_catalog_free = True
        assert other_catalog_free
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    patient = RateLimits(max_wait=30.0)
    pacer = (RedisPacer(client, patient, namespace=namespace) if backend == "redis"
             else LocalPacer(tmp_path, patient, namespace=namespace))
    acquired = False
    with pacer.slot(UPLOAD, "cat-1"):
        acquired = True
    assert acquired
    if backend == "local":
        pacer.close()


@pytest.mark.parametrize("backend", ["redis", "local"])
def test_catalog_hourly_budget_is_enforced(tmp_path, redis_client, redis_prefix, backend):
    client, namespace = redis_client, redis_prefix
    limits = RateLimits(catalog_per_hour=3, max_wait=0.5, endpoint_per_second={UPLOAD: 100}, app_per_second=100)
    pacer = (RedisPacer(client, limits, namespace=namespace) if backend == "redis"
             else LocalPacer(tmp_path, limits, namespace=namespace))
    granted = 0
    with pytest.raises(TikTokPacingTimeout) as caught:
        for _ in range(5):
            with pacer.slot(UPLOAD, "cat-9"):
                granted += 1
    assert granted == 3
    assert caught.value.retry_after > 3000  # the budget frees up only an hour later
    with pacer.slot(UPLOAD, "another-catalog"):
        granted += 1
    assert granted == 4
    if backend == "local":
        pacer.close()


def test_rate_limits_from_settings_override_only_what_is_given():
    limits = RateLimits.from_settings({"app_per_second": 20, "endpoint_per_second": {UPLOAD: 10}})
    assert limits.app_per_second == 20
    assert limits.endpoint_per_second[UPLOAD] == 10
    assert limits.endpoint_per_second["catalog/product/delete/"] == 2
    assert [b.key for b in limits.buckets(UPLOAD, "c1")] == ["app", f"path:{UPLOAD}", "catalog:c1:hour"]
    assert [b.key for b in limits.buckets("event/track/")] == ["path:event/track/"]
