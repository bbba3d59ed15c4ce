"""Pixel hot path benchmark: prints figures, never asserts.

Origin: gunicorn started as deploy/gunicorn.conf.py says, driven by wrk on loopback:
  bare Flask route (fixed bytes)  |  GET /pixel/<key>.js 200  |  same with If-None-Match -> 304
  |  naive view (database read + render per request).
Deployed: nginx with deploy/nginx/pixel-cache.conf in front of the app, against the same nginx
serving the same bytes as a static file; then how long a store change takes to reach a client
through the cache.

Ratios are taken run by run (each run's requests/s over the baseline's in the same round of the
interleaving; the median and the range are printed, and the ratio of the medians beside them), and
the server's CPU time per request (its whole process tree, read from /proc) is printed for each
case: on two cores shared with the load generator, requests/s move with the machine from round to
round, CPU per request much less.

    python bench/pixel_bench.py [--duration 5] [--runs 9] [--connections 64]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
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
)


def script_size(key, env):
    """Size of the store's pixel script, so the bare route returns as many bytes."""
    code = ("import sys; from server.app import create_app; "
            f"sys.stdout.write(str(len(create_app().test_client().get('/pixel/{key}.js').data)))")
    return int(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=True).stdout)


def static_location(path, headers):
    """The static baseline: the same bytes with the same response headers and the same file handling
    (open_file_cache, gzip) as the cached location, so the two differ only in being a cache hit."""
    return f"""location = /static/pixel.js {{
            alias {path};
            open_file_cache max=10000 inactive=60s;
            gzip on; gzip_types application/javascript; gzip_min_length 256;
            charset utf-8; charset_types application/javascript;
            etag off; max_ranges 0; add_header Last-Modified "";
            add_header ETag '{headers["ETag"]}';
            add_header Cache-Control "{headers["Cache-Control"]}";
            add_header X-Content-Type-Options nosniff;
            add_header Cross-Origin-Resource-Policy cross-origin;
            add_header X-Cache-Status HIT always;
        }}"""


def start_nginx(workdir, app_port, nginx_port, static_body, headers):
    static = workdir / "static"
    static.mkdir(parents=True)
    (static / "pixel.js").write_bytes(static_body)
    for path in (workdir, static):
        path.chmod(0o755)
    (static / "pixel.js").chmod(0o644)
    conf = workdir / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    types {{ application/javascript js; }}
    upstream tiktok_connector {{ server 127.0.0.1:{app_port}; keepalive 32; }}
    proxy_cache_path {workdir}/cache levels=1:2 keys_zone=ttc_pixel:10m max_size=64m inactive=1h use_temp_path=off;
    server {{
        listen 127.0.0.1:{nginx_port};
        include {ROOT}/deploy/nginx/pixel-cache.conf;
        {static_location(static / "pixel.js", headers)}
    }}
}}
""")
    user = "root" if os.geteuid() == 0 else None
    command = ["nginx", "-c", str(conf), "-p", str(workdir)]
    if user:
        command += ["-g", "user root;"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def like_with_like(static_url, cached_url):
    """Say whether the static baseline and the cache hit answer the same bytes and headers."""
    def response(url):
        with urllib.request.urlopen(url) as answer:
            drop = {"date"}
            return answer.read(), sorted((k.lower(), v) for k, v in answer.headers.items() if k.lower() not in drop)
    static, cached = response(static_url), response(cached_url)
    same_body = "same body" if static[0] == cached[0] else "DIFFERENT BODIES"
    differ = sorted({k for k, _ in set(static[1]) ^ set(cached[1])})
    same_headers = "same headers" if not differ else f"headers differ: {', '.join(differ)}"
    shipped = (ROOT / "deploy/nginx/pixel-cache.conf").read_text()
    files = ("both locations keep files open (open_file_cache)" if re.search(r"^\s*open_file_cache\s", shipped, re.M)
             else "ONLY THE STATIC LOCATION keeps files open (open_file_cache)")
    return (f"static vs cached: {same_body} ({len(cached[0])} bytes), {same_headers} (Date aside); no "
            f"Accept-Encoding from wrk, so neither is compressed; {files}, access log off; the same wrk "
            "settings for every case")


def cache_honours(cached_url, app_headers):
    """Say whether the cache answers with the app's validators and max-age, and 304s a matching ETag."""
    etag, cache_control = app_headers["ETag"], app_headers["Cache-Control"]
    with urllib.request.urlopen(cached_url) as answer:
        same = answer.headers["ETag"] == etag and answer.headers["Cache-Control"] == cache_control
    try:
        urllib.request.urlopen(urllib.request.Request(cached_url, headers={"If-None-Match": etag}))
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    return (f"through the cache: the app's ETag and Cache-Control {'kept' if same else 'NOT KEPT'}; "
            f"If-None-Match with that ETag answered {status}")


def change_delay(nginx_url, key, env, max_age):
    """Change the store, then poll through nginx until a client sees it; seconds taken."""
    before = wait_http(f"{nginx_url}/pixel/{key}/config.json")
    started = time.time()
    # A new store does not hold events for consent; this change shows in config.json.
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "store", "update", key, "--consent-mode",
                    "hold"], cwd=ROOT, env=env, check=True, capture_output=True)
    deadline = started + max_age * 3 + 30
    while time.time() < deadline:
        body = wait_http(f"{nginx_url}/pixel/{key}/config.json")
        if body != before and b'"consent_mode":"hold"' in body:
            return time.time() - started
        time.sleep(0.5)
    return None


def measure_origin(args, origin, key, etag, server_pid):
    """The app alone: the bare Flask route, the pixel script (200 and 304) and the naive view."""
    origin_result = measure({
        "bare Flask route (fixed bytes)": (f"{origin}/bench/bare", ()),
        "GET /pixel/<key>.js (200)": (f"{origin}/pixel/{key}.js", ()),
        "GET /pixel/<key>.js (304)": (f"{origin}/pixel/{key}.js", (f"If-None-Match: {etag}",)),
        "naive view (DB read per request)": (f"{origin}/bench/naive/{key}.js", ()),
    }, args, server_pid)
    print_table("Origin (gunicorn, deploy/gunicorn.conf.py)", origin_result)
    bare, naive = "bare Flask route (fixed bytes)", "naive view (DB read per request)"
    print("  ratios:")
    print("    " + ratio_line(origin_result, "GET /pixel/<key>.js (200)", bare, "200 / bare", 0.9))
    print("    " + ratio_line(origin_result, "GET /pixel/<key>.js (304)", bare, "304 / bare"))
    print("    " + ratio_line(origin_result, "GET /pixel/<key>.js (200)", naive, "200 / naive", 2))


def measure_deployed(args, edge, key, etag, server_pid):
    """nginx: the static baseline against cache hits (200 and 304)."""
    deployed = measure({
        "nginx static file (same bytes)": (f"{edge}/static/pixel.js", ()),
        "nginx cache -> /pixel/<key>.js (200)": (f"{edge}/pixel/{key}.js", ()),
        "nginx cache -> /pixel/<key>.js (304)": (f"{edge}/pixel/{key}.js", (f"If-None-Match: {etag}",)),
    }, args, server_pid)
    print_table("Deployed (nginx with deploy/nginx/pixel-cache.conf in front)", deployed)
    static = "nginx static file (same bytes)"
    print("  ratios (server CPU: nginx's processes):")
    print("    " + ratio_line(deployed, "nginx cache -> /pixel/<key>.js (200)", static, "cached 200 / static", 0.9))
    print("    " + ratio_line(deployed, "nginx cache -> /pixel/<key>.js (304)", static, "cached 304 / static"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=9, help="interleaved runs per case (medians)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--skip-change", action="store_true", help="skip the change-propagation check")
    add_machine_args(parser)
    args = parser.parse_args()
    check_machine(args)
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed: bash scripts/bench-tools.sh")

    workdir = Path(tempfile.mkdtemp(prefix="ttc-pixel-bench-"))
    key, env = setup_store(workdir / "instance")
    env["BENCH_BARE_BYTES"] = str(script_size(key, env))
    app_port, nginx_port = free_port(), free_port()
    gunicorn = start_gunicorn(env, app_port)
    nginx = None
    try:
        origin = f"http://127.0.0.1:{app_port}"
        script = wait_http(f"{origin}/pixel/{key}.js")
        script_headers = urllib.request.urlopen(f"{origin}/pixel/{key}.js").headers
        etag = script_headers["ETag"]
        wait_http(f"{origin}/bench/bare")
        print(f"pixel script: {len(script)} bytes; wrk -t2 -c{args.connections} -d{args.duration}s,"
              f" {args.runs} runs, medians; 2 cores shared by server and load generator")
        measure_origin(args, origin, key, etag, gunicorn.pid)

        nginx = start_nginx(workdir / "nginx", app_port, nginx_port, script, script_headers)
        edge = f"http://127.0.0.1:{nginx_port}"
        wait_http(f"{edge}/static/pixel.js")
        wait_http(f"{edge}/pixel/{key}.js")
        print(like_with_like(f"{edge}/static/pixel.js", f"{edge}/pixel/{key}.js"))
        print(cache_honours(f"{edge}/pixel/{key}.js", script_headers))
        measure_deployed(args, edge, key, etag, nginx.pid)

        if not args.skip_change:
            max_age = int(re.search(r"max-age=(\d+)", urllib.request.urlopen(
                f"{origin}/pixel/{key}.js").headers["Cache-Control"]).group(1))
            delay = change_delay(edge, key, env, max_age)
            shown = f"{delay:.1f} s" if delay is not None else "not seen"
            print(f"\nstore change seen through the nginx cache after {shown} (max-age {max_age} s)")
    finally:
        if nginx:
            stop(nginx)
        stop(gunicorn)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
