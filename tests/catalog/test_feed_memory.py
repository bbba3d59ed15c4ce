"""Hostile feeds are refused with their line while the importing process stays under 300 MB.

Each case is a real ``catalog import URL`` process (its feed worker included, when it has one)
reading a feed a local web server generates as it sends it: a 200 MB ``<description>``, a 0.5 MB
gzip body expanding to 500 MB in one element, a 200 MB CSV header without a newline, a CSV row
of 52 million columns. Peak memory is what the kernel counted: the process's own high-water
mark (``VmHWM``, from /proc) and its feed worker's (``getrusage`` of its children), both read
as the process exits.
"""
import os
import re
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.factories import make_store

ROOT = Path(__file__).resolve().parents[2]
MB = 1 << 20
PEAK_BOUND_KB = 300 * 1024
# The import command, reporting its peak memory and its children's as it exits. (A child's own
# ``ru_maxrss`` would not do: Linux carries a parent's size across fork and exec into it.)
COMMAND = """
import atexit, resource, sys
def report():
    own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(f"peak KB: {own} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
atexit.register(report)
from server.cli import main
main()
"""
XML_START = b'<?xml version="1.0"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>\n'


def description_of_200_mb():
    yield XML_START + b"<item><g:id>A</g:id><title>Bolsa</title>\n<description>"
    chunk = b"x" * MB
    for _ in range(200):
        yield chunk
    yield b"</description></item></channel></rss>\n"


def gzip_of_half_a_megabyte_expanding_to_500_mb():
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate inside a gzip member
    yield (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
           + compressor.compress(XML_START + b"<item><g:id>A</g:id>\n<description>")
           + compressor.flush(zlib.Z_FULL_FLUSH))
    # After a full flush a block refers to nothing before it: the same block sent again and again
    # decodes to a megabyte each time (500 of them: about half a megabyte sent).
    block = compressor.compress(b"x" * MB) + compressor.flush(zlib.Z_FULL_FLUSH)
    for _ in range(500):
        yield block


def csv_header_of_200_mb_without_a_newline():
    yield b"id,title,description,"
    chunk = b"x" * MB
    for _ in range(200):
        yield chunk


def csv_row_of_52_million_columns():
    yield b"id,title,price\n"
    chunk = b"," * MB
    for _ in range(52):
        yield chunk
    yield b"\n"


CASES = {
    "description": (description_of_200_mb, None,
                    "line 3: the <description> of item 1 is longer than 1024 KB, the limit for one field"),
    "gzip": (gzip_of_half_a_megabyte_expanding_to_500_mb, "gzip",
             "line 3: the <description> of item 1 is longer than 1024 KB, the limit for one field"),
    "header": (csv_header_of_200_mb_without_a_newline, None,
               "line 1: the header is longer than 4096 KB, the limit for one row (TTC_CATALOG_FEED_MAX_ROW_KB)"),
    "columns": (csv_row_of_52_million_columns, None,
                "line 2: the row is longer than 4096 KB, the limit for one row (TTC_CATALOG_FEED_MAX_ROW_KB)"),
}


class FeedHandler(BaseHTTPRequestHandler):
    """Sends the case named by the path, generated as it goes; stops when the reader hangs up."""

    def do_GET(self):
        generate, encoding, _ = CASES[self.path.strip("/")]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        try:
            for chunk in generate():
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def feeds():
    """The base URL of a local server of hostile feeds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def run_import(app_config, store, url, worker, tmp_path):
    """Run ``catalog import URL`` in its own process: (exit status, output, peak RSS in KB of it and
    of its feed worker)."""
    env = {**os.environ, "TTC_DATABASE_URL": app_config["TTC_DATABASE_URL"], "TTC_AUTO_MIGRATE": "false",
           "TTC_INSTANCE_PATH": app_config["INSTANCE_PATH"], "TTC_IMAGE_CHECKS": "false", "TTC_LOG_LEVEL": "ERROR",
           "TTC_CATALOG_IMPORT_WORKER": worker}
    output = tmp_path / f"import-{worker}.txt"
    with output.open("wb") as sink:
        status = subprocess.run([sys.executable, "-c", COMMAND, "catalog", "import", url, "--store", store.public_key],
                                cwd=ROOT, env=env, stdout=sink, stderr=sink, timeout=300).returncode
    text = output.read_text(errors="replace")
    own, worker_peak = (int(n) for n in re.search(r"peak KB: (\d+) (\d+)", text).groups())
    return status, text, (own, worker_peak)


@pytest.mark.parametrize("worker", ["never", "always"])
@pytest.mark.parametrize("case", CASES)
def test_a_hostile_feed_is_refused_with_its_line_under_300_mb(app_config, database_url, session, feeds, tmp_path,
                                                               case, worker):
    if not database_url.startswith("sqlite"):
        pytest.skip("the memory is the feed reader's, whatever the database: measured once")
    store = make_store()

    status, output, (peak, worker_peak) = run_import(app_config, store, f"{feeds}/{case}", worker, tmp_path)

    assert status == 1, output
    assert CASES[case][2] in output and "nothing was changed" in output, output
    assert peak < PEAK_BOUND_KB and worker_peak < PEAK_BOUND_KB, output
    assert (worker_peak > 0) == (worker == "always")  # the feed worker did the reading when it should
