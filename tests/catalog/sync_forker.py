"""``python -m tests.catalog.sync_forker STORE_KEY``: start sync processes quickly, for the crash tests.

It imports the application once, then forks one ``flask catalog sync --store KEY`` process per
``run`` line read on stdin (or ``flask catalog import FEED --store KEY`` per ``import FEED WORKER``
line, WORKER the feed worker setting), printing its pid, and reaps it on ``wait`` (printing its
exit status), so a test can kill -9 twenty real processes without paying Python's start-up each time.
"""
import os
import sys

import server.catalog.cli  # noqa: F401  (imported before forking: the children start at once)
from server.cli import main


def _child(arguments):
    log = os.open(os.environ.get("SYNC_LOG", os.devnull), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.argv = ["tiktok-connector", *arguments]
    try:
        main()
    except SystemExit as done:
        os._exit(done.code if isinstance(done.code, int) else 1)
    os._exit(0)


def serve(key):
    """Answer ``run`` and ``wait`` lines until stdin closes."""
    child = None
    for line in sys.stdin:
        command, *rest = line.split()
        if command in ("run", "import"):
            child = os.fork()
            if child == 0:
                if command == "run":
                    _child(["catalog", "sync", "--store", key, "--no-review"])
                feed, worker = rest
                os.environ["TTC_CATALOG_IMPORT_WORKER"] = worker
                _child(["catalog", "import", feed, "--store", key])
            print(child, flush=True)
        elif command == "wait" and child:
            _, status = os.waitpid(child, 0)
            print(os.waitstatus_to_exitcode(status), flush=True)
            child = None


if __name__ == "__main__":
    serve(sys.argv[1])
