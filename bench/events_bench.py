"""Server events benchmark: prints figures, never asserts.

Collector throughput: gunicorn started as deploy/gunicorn.conf.py says, driven by wrk on loopback, in
the same run and interleaved: GET /pixel/<key>.js (the pixel origin path, the baseline) against
POST /pixel/<key>/events (a realistic beacon, the store's Origin, a new event_id each time and a
shopper address from a pool of 20,480 through X-Forwarded-For behind one trusted proxy; wrk makes the
beacons before it starts timing, so building them costs the shared cores nothing while measured). The relay
is off meanwhile, so both paths run under the same conditions; the same collector writing each event
before answering (TTC_EVENTS_SPOOL_MS=0) is measured too.

Relay efficiency: the relay on (embedded runner), events at a fixed rate (wrk with a per-request
delay) for --relay-seconds, against the TikTok emulator (python -m tests.tiktok_emulator): events
per event/track request, and how long TikTok took to have them all once the load stopped.

The collector's ratio is taken run by run (each run's requests/s over the pixel path's in the same
round; median and range printed, the ratio of the medians beside them), with the server's CPU time
per request (gunicorn's whole process tree, from /proc).

    python bench/events_bench.py [--duration 5] [--runs 9] [--connections 64] [--rate 2000]
                                 [--relay-seconds 20] [--postgres]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from _harness import (
    ROOT,
    add_machine_args,
    check_machine,
    free_port,
    measure,
    print_table,
    ratio_line,
    setup_store,
    start_gunicorn,
    stop,
    wait_http,
    wrk,
)

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/124.0.0.0 Safari/537.36")
BEACON_LUA = r"""
-- A realistic beacon per request: a new event_id, a product, a shopper address from a pool.
-- "id" is the wrk thread's number (set by setup), so threads never make the same event_id.
-- The beacons are made before wrk starts its clock (init) and handed out as they are: wrk shares the
-- two cores with the server, and building each one while timing (string.format, random numbers)
-- cost the load generator about twice the CPU per request a plain GET costs it, CPU the server then
-- did not have. A thread that uses its batch up makes the next one (the counter keeps ids unique).
local made, index, batch = 0, 0, {}
local BATCH = 30000
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
local template = '{"event":"AddToCart","event_id":"%s","url":"https://shop.example.com/p/sku-%d?utm_source=tiktok",'
  .. '"referrer":"https://www.tiktok.com/","ttclid":"E.C.P.%d","ttp":"ttp-%d","consent":"none","limited":0,'
  .. '"properties":{"contents":[{"content_id":"SKU-%d","content_name":"Caneca 350 ml","price":24.5,"quantity":2}],'
  .. '"content_type":"product","value":49,"currency":"USD"}}'
local function beacon()
  made = made + 1
  local sku = math.random(1, 5000)
  local body = string.format(template, id .. "-" .. made .. "-" .. math.random(1, 1000000000), sku, sku, sku, sku)
  local headers = {["Content-Type"] = "text/plain;charset=UTF-8", ["Origin"] = "https://shop.example.com",
    ["User-Agent"] = "%(agent)s",
    ["X-Forwarded-For"] = "10." .. math.random(0, 79) .. "." .. math.random(0, 255) .. ".1"}
  return wrk.format("POST", nil, headers, body)
end
local function make_batch()
  for i = 1, BATCH do batch[i] = beacon() end
  index = 0
end
function init(args)
  math.randomseed(id * 7919 + os.time())
  make_batch()
end
function request()
  if index == BATCH then make_batch() end
  index = index + 1
  return batch[index]
end
%(delay)s
"""
CONNECT = r"""
import json, sys, urllib.request
from server.app import create_app
from server.events.settings import update_settings
from server.extensions import db
from server.models.tiktok import TikTokConnection
from server.security import encrypt_secret
from server.stores.service import find_store

emulator, key = sys.argv[1], sys.argv[2]
ask = urllib.request.Request(emulator + "/_emulator/tokens", data=b"{}", headers={"Content-Type": "application/json"})
token = json.load(urllib.request.urlopen(ask))["access_token"]
world = json.load(urllib.request.urlopen(emulator + "/_emulator/world"))
app = create_app()
with app.app_context():
    store = find_store(db.session, key)
    pixel = world["pixels"][0]["pixel_code"]
    db.session.add(TikTokConnection(store_id=store.id, access_token=encrypt_secret(token), pixel_code=pixel,
                                    advertiser_id=world["advertisers"][0]["advertiser_id"], bc_id=world["bc_id"]))
    store.pixel_code, store.tiktok_state = pixel, "connected"
    db.session.commit()
    update_settings(db.session, store, None, server_events=True)
"""
FORGET = r"""
from sqlalchemy import text
from server.app import create_app
from server.extensions import db

app = create_app()
with app.app_context():
    db.session.execute(text("DELETE FROM jobs"))
    db.session.execute(text("DELETE FROM server_events"))
    db.session.execute(text("DELETE FROM event_batches"))
    db.session.execute(text("DELETE FROM event_tallies"))
    db.session.commit()
"""
ACCOUNT = r"""
import json, sys
from server.app import create_app
from server.events import account
from server.extensions import db
from server.stores.service import find_store

app = create_app()
with app.app_context():
    statement = account.statement(db.session, find_store(db.session, sys.argv[1]).id)
    print(json.dumps({**statement, "since": None, "line": account.line(statement)}))
"""


def lua(workdir, name, delay_ms=None):
    """Write the beacon script (with a fixed per-request delay when given); returns its path."""
    delay = f"function delay() return {delay_ms} end" if delay_ms else ""
    path = workdir / name
    path.write_text(BEACON_LUA.replace("%(agent)s", CHROME).replace("%(delay)s", delay))
    return path


def python(code, env, *args):
    """Run Python code with the app's environment (its instance folder), quietly."""
    subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, check=True, capture_output=True)


def store_account(env, key):
    """The store's account of beacons (server/events/account.py), read by a fresh process."""
    out = subprocess.run([sys.executable, "-c", ACCOUNT, key], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def emulator_call(url, path, method="GET"):
    """Call the emulator's control API; returns its JSON."""
    request = urllib.request.Request(f"{url}/_emulator/{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def postgres_database():
    """A throwaway PostgreSQL database (TTC_TEST_POSTGRES_URL's server); returns (url, drop)."""
    import psycopg

    admin_url = os.environ.get("TTC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    admin = psycopg.connect(admin_url, autocommit=True)
    name = f"ttc_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        """Drop the database."""
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def serve(env, **settings):
    """gunicorn for the app with these TTC_* settings; returns (process, origin URL)."""
    port = free_port()
    process = start_gunicorn({**env, **{name: str(value) for name, value in settings.items()}}, port)
    return process, f"http://127.0.0.1:{port}"


def throughput(args, env, key, workdir):
    """Collector against the pixel origin path, interleaved; then the collector writing per event."""
    script = lua(workdir, "beacon.lua")
    gunicorn, origin = serve(env, TTC_JOB_RUNNER="off")
    try:
        wait_http(f"{origin}/pixel/{key}.js")
        result = measure({
            "GET /pixel/<key>.js (200)": (f"{origin}/pixel/{key}.js", ()),
            "POST /pixel/<key>/events (spool 250 ms)": (f"{origin}/pixel/{key}/events", (), script),
        }, args, gunicorn.pid)
    finally:
        stop(gunicorn)
    gunicorn, origin = serve(env, TTC_JOB_RUNNER="off", TTC_EVENTS_SPOOL_MS=0)
    try:
        wait_http(f"{origin}/pixel/{key}.js")
        result.update(measure({"POST /pixel/<key>/events (write per event)": (
            f"{origin}/pixel/{key}/events", (), script)}, args, gunicorn.pid))
    finally:
        stop(gunicorn)
    print_table("Collector throughput (gunicorn, deploy/gunicorn.conf.py; relay off)", result)
    pixel = "GET /pixel/<key>.js (200)"
    print("  " + ratio_line(result, "POST /pixel/<key>/events (spool 250 ms)", pixel, "collector / pixel path", 0.9))
    direct = result["POST /pixel/<key>/events (write per event)"]["rps"]
    print(f"  write-per-event / pixel path = {direct / result[pixel]['rps']:.2f} (ratio of medians; a separate server)")


def relay(args, env, key, workdir, emulator):
    """Events at a fixed rate with the relay on; events per TikTok request."""
    python(FORGET, env)
    emulator_call(emulator, "requests", "DELETE")
    received_before = emulator_call(emulator, "stats").get("events_received", 0)
    # Each connection waits between requests; 2 ms of it stand for the answer's own latency.
    connections = max(1, args.rate // 40)
    script = lua(workdir, "beacon-rate.lua", delay_ms=max(1, 1000 * connections // args.rate - 2))
    gunicorn, origin = serve(env)
    try:
        wait_http(f"{origin}/pixel/{key}.js")
        rps, _, p99, bad, _ = wrk(f"{origin}/pixel/{key}/events", args.relay_seconds, connections, (), script)
        accepted = int(rps * args.relay_seconds) - bad
        stopped = time.monotonic()
        received, settled_at = 0, None
        while time.monotonic() - stopped < 120:
            received = emulator_call(emulator, "stats").get("events_received", 0) - received_before
            if received >= accepted * 0.99:
                settled_at = time.monotonic() - stopped
                break
            time.sleep(0.5)
        statement = store_account(env, key)
        while statement["waiting"] and time.monotonic() - stopped < 180:
            time.sleep(1)
            statement = store_account(env, key)
    finally:
        stop(gunicorn)
    received = emulator_call(emulator, "stats").get("events_received", 0) - received_before
    requests = emulator_call(emulator, "requests?path=event/track/")
    print(f"\nRelay at {args.rate} events/s for {args.relay_seconds} s (embedded runner, TikTok emulator)")
    print(f"  beacons answered: {rps:.0f}/s, p99 {p99:.1f} ms, {bad} not 2xx; about {accepted} accepted")
    print(f"  TikTok received {received} events in {len(requests)} event/track requests: "
          f"{received / max(1, len(requests)):.0f} events per request (target >= 500)")
    shown = f"{settled_at:.1f} s" if settled_at is not None else "not within 120 s"
    print(f"  the last events reached TikTok {shown} after the load stopped")
    print(f"  account: {statement['line']}")
    for outcome, reasons in statement["reasons"].items():
        print(f"    {outcome}: " + "; ".join(f"{reason} {count}" for reason, count in reasons.items()))
    print(f"  accepted = relayed + deduplicated + refused + dropped + held + waiting: "
          f"{'yes' if statement['adds_up'] else 'NO'}; TikTok received {received}, the account says "
          f"{statement['relayed']} relayed: {'the same' if received == statement['relayed'] else 'DIFFERENT'}")


def main():
    """Parse arguments, start the emulator, set a store up, run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=9, help="interleaved runs per case (medians)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=int, default=2000, help="events per second for the relay run")
    parser.add_argument("--relay-seconds", type=int, default=20)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    add_machine_args(parser)
    args = parser.parse_args()
    check_machine(args)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: bash scripts/bench-tools.sh")

    workdir = Path(tempfile.mkdtemp(prefix="ttc-events-bench-"))
    emulator_port = free_port()
    emulator = subprocess.Popen([sys.executable, "-m", "tests.tiktok_emulator", "--port", str(emulator_port)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    drop = None
    try:
        base = dict(os.environ, TTC_TIKTOK_API_BASE=emulator_url, TTC_TRUSTED_PROXIES="1")
        if args.postgres:
            base["TTC_DATABASE_URL"], drop = postgres_database()
        key, env = setup_store(workdir / "instance", base)
        wait_http(f"{emulator_url}/_emulator/world")
        python(CONNECT, env, emulator_url, key)
        print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; wrk -t2 -c{args.connections} "
              f"-d{args.duration}s, {args.runs} runs, medians; {os.cpu_count()} cores shared by the server, "
              f"wrk and the emulator")
        throughput(args, env, key, workdir)
        relay(args, env, key, workdir, emulator_url)
    finally:
        stop(emulator)
        if drop:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
