"""``python -m tests.catalog.sync_forker STORE_KEY``: start sync processes quickly, for the crash test.

It imports the application once, then forks one ``flask catalog sync --store KEY`` process per
``run`` line read on stdin (printing its pid), and reaps it on ``wait`` (printing its exit status),
so the test can kill -9 twenty real sync processes without paying Python's start-up each time.
"""
import os
import sys

import server.catalog.cli  # noqa: F401  (imported before forking: the children start at once)
from server.cli import main


def _child(key):
    log = os.open(os.environ.get("SYNC_LOG", os.devnull), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.argv = ["tiktok-connector", "catalog", "sync", "--store", key, "--no-review"]
    try:
        main()
    except SystemExit as done:
        os._exit(done.code if isinstance(done.code, int) else 1)
    os._exit(0)


def serve(key):
    """Answer ``run`` and ``wait`` lines until stdin closes."""
    child = None
    for line in sys.stdin:
        command = line.strip()
        if command == "run":
            child = os.fork()
            if child == 0:
                _child(key)
            print(child, flush=True)
        elif command == "wait" and child:
            _, status = os.waitpid(child, 0)
            print(os.waitstatus_to_exitcode(status), flush=True)
            child = None


if __name__ == "__main__":
    serve(sys.argv[1])
