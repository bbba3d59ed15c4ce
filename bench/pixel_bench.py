"""Pixel hot path benchmark: prints figures, never asserts.

Origin: gunicorn started as deploy/gunicorn.conf.py says, driven by wrk on loopback:
  bare Flask route (fixed bytes)  |  GET /pixel/<key>.js 200  |  same with If-None-Match -> 304
  |  naive view (database read + render per request).
Deployed: nginx with deploy/nginx/pixel-cache.conf in front of the app (the app publishing the
scripts as files, TTC_PIXEL_PUBLISH_DIR), against the same nginx serving the same bytes as a static
file; then how long a store change takes to reach a client, for the published script and for
config.json (which goes through nginx's proxy cache).

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _harness import (  # noqa: E402
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
from server.pixel.representation import file_time  # noqa: E402


def script_size(key, env):
    """Size of the store's pixel script, so the bare route returns as many bytes."""
    code = ("import sys; from server.app import create_app; "
            f"sys.stdout.write(str(len(create_app().test_client().get('/pixel/{key}.js').data)))")
    return int(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=True).stdout)


def static_location(path, headers):
    """The static baseline: a plain static file with the same bytes and response headers and the same
    file handling (open_file_cache, gzip) as the published location. Its modification time is set
    as the app sets a published file's, so nginx computes the same ETag."""
    return f"""location = /static/pixel.js {{
            alias {path};
            open_file_cache max=10000 inactive=60s;
            gzip on; gzip_types application/javascript; gzip_min_length 256;
            charset utf-8; charset_types application/javascript;
            max_ranges 0; if_modified_since off; add_header Last-Modified "";
            add_header Cache-Control "{headers["Cache-Control"]}";
            add_header X-Content-Type-Options nosniff;
            add_header Cross-Origin-Resource-Policy cross-origin;
            add_header X-Cache-Status FILE always;
        }}"""


def shipped_location(publish_dir):
    """deploy/nginx/pixel-cache.conf with its published folder pointed at this run's."""
    text = (ROOT / "deploy/nginx/pixel-cache.conf").read_text()
    shipped_root = re.findall(r"^\s*root (\S+);", text, re.M)
    if len(shipped_root) != 1:
        sys.exit("deploy/nginx/pixel-cache.conf: expected one `root` line (the published folder)")
    return text.replace(f"root {shipped_root[0]};", f"root {publish_dir};")


def start_nginx(workdir, app_port, nginx_port, static_body, headers, publish_dir):
    static = workdir / "static"
    static.mkdir(parents=True)
    (static / "pixel.js").write_bytes(static_body)
    for path in (workdir, static):
        path.chmod(0o755)
    (static / "pixel.js").chmod(0o644)
    stamp = file_time(static_body)
    os.utime(static / "pixel.js", (stamp, stamp))
    (workdir / "pixel-cache.conf").write_text(shipped_location(publish_dir))
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
        include {workdir}/pixel-cache.conf;
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


def published_first(edge, key, publish_dir):
    """Ask nginx for the script until it comes from the published file; say how it went."""
    answers = []
    for _ in range(50):
        with urllib.request.urlopen(f"{edge}/pixel/{key}.js") as answer:
            answers.append(answer.headers["X-Cache-Status"])
        if answers[-1] == "FILE":
            break
        time.sleep(0.1)
    published = (publish_dir / "pixel" / f"{key}.js").is_file()
    return (f"published script: answered by {' then '.join(answers)} ({len(answers)} requests); "
            f"the file {'is' if published else 'is NOT'} in the published folder")


def change_delay(nginx_url, key, env, max_age):
    """Change the store, then poll through nginx until a client sees it in the published script and
    in config.json (nginx's proxy cache); seconds taken by each (None: not seen)."""
    urls = {"script": f"{nginx_url}/pixel/{key}.js", "config.json": f"{nginx_url}/pixel/{key}/config.json"}
    before = {name: wait_http(url) for name, url in urls.items()}
    started = time.time()
    # A new store does not hold events for consent; this change shows in the script and config.json.
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "store", "update", key, "--consent-mode",
                    "hold"], cwd=ROOT, env=env, check=True, capture_output=True)
    seen = {}
    deadline = started + max_age * 3 + 30
    while time.time() < deadline and len(seen) < len(urls):
        for name, url in urls.items():
            if name not in seen:
                body = wait_http(url)
                if body != before[name] and b'"consent_mode":"hold"' in body:
                    seen[name] = time.time() - started
        time.sleep(0.5)
    return {name: seen.get(name) for name in urls}


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
    """nginx: the static baseline against the published script (200 and 304)."""
    published, not_modified = "nginx -> /pixel/<key>.js (200, the file)", "nginx -> /pixel/<key>.js (304)"
    deployed = measure({
        "nginx static file (same bytes)": (f"{edge}/static/pixel.js", ()),
        published: (f"{edge}/pixel/{key}.js", ()),
        not_modified: (f"{edge}/pixel/{key}.js", (f"If-None-Match: {etag}",)),
    }, args, server_pid)
    print_table("Deployed (nginx with deploy/nginx/pixel-cache.conf in front, the app publishing)", deployed)
    static = "nginx static file (same bytes)"
    print("  ratios (server CPU: nginx's processes):")
    print("    " + ratio_line(deployed, published, static, "cached 200 / static", 0.9))
    print("    " + ratio_line(deployed, not_modified, static, "cached 304 / static 200"))


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
    publish_dir = workdir / "published"
    env["TTC_PIXEL_PUBLISH_DIR"] = str(publish_dir)
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

        nginx = start_nginx(workdir / "nginx", app_port, nginx_port, script, script_headers, publish_dir)
        edge = f"http://127.0.0.1:{nginx_port}"
        wait_http(f"{edge}/static/pixel.js")
        print(published_first(edge, key, publish_dir))
        print(like_with_like(f"{edge}/static/pixel.js", f"{edge}/pixel/{key}.js"))
        print(cache_honours(f"{edge}/pixel/{key}.js", script_headers))
        measure_deployed(args, edge, key, etag, nginx.pid)

        if not args.skip_change:
            max_age = int(re.search(r"max-age=(\d+)", urllib.request.urlopen(
                f"{origin}/pixel/{key}.js").headers["Cache-Control"]).group(1))
            delays = change_delay(edge, key, env, max_age)
            shown = ", ".join(f"{name} after {delay:.1f} s" if delay is not None else f"{name} not seen"
                              for name, delay in delays.items())
            print(f"\nstore change seen through nginx: {shown} (max-age {max_age} s)")
    finally:
        if nginx:
            stop(nginx)
        stop(gunicorn)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
