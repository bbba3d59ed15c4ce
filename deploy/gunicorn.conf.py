"""Production gunicorn settings (override any with GUNICORN_CMD_ARGS or command-line flags)."""
import gc
import multiprocessing
import os
import sys

from server import config as _ttc_config  # gunicorn reads every other module-level name as a setting
from server.settings_check import SettingError as _SettingError

# Every TTC_* setting is checked before gunicorn loads the app: a bad one stops the start with one
# line naming it (gunicorn would print the app's traceback instead).
try:
    _ttc_config.check_start()
except _SettingError as error:
    print(f"tiktok-connector: {error.message}", file=sys.stderr)
    sys.exit(2)

bind = os.environ.get("TTC_BIND", "127.0.0.1:8000")
# Threaded workers keep shoppers' connections alive; the pixel path holds no lock and does no I/O.
worker_class = "gthread"
workers = int(os.environ.get("TTC_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("TTC_THREADS", 4))
keepalive = 30
# http_parser is left at "auto": with gunicorn_h1c installed (the `fast` extra; `make` installs it when
# it builds), requests are parsed in C. A beacon (six headers and a body) costs the worker about 12 us
# less, a browser's pixel request (ten headers) about 15 us less; a bare GET the same.
timeout = 60
graceful_timeout = 30
# Build the app (and upgrade the schema) once in the master, before forking the workers.
preload_app = True
accesslog = os.environ.get("TTC_ACCESS_LOG") or None
errorlog = "-"

# gunicorn's control socket (gunicornc) lives in the instance folder, so two servers on one host
# (two instances, or a second one started by mistake) never share one; a path too long for a
# Unix socket turns it off.
control_socket = os.path.join(_ttc_config.instance_path(), "gunicorn.ctl")
control_socket_disable = len(control_socket.encode()) > 100


def post_worker_init(worker):
    """Start the embedded job runner as each worker boots: jobs and the schedule run on an idle server."""
    from server.jobs import start_with_server

    start_with_server(worker.wsgi)


def pre_fork(server, worker):
    """Freeze the preloaded app's objects before each worker is forked: the garbage collector's full
    passes then skip them. The collector keeps beacons in its spool between writes, so they outlive
    young collections and set off full ones; over the whole app (about 200,000 objects) each took
    over 100 ms, about 4 us per beacon; with the app frozen, about a quarter of that."""
    gc.freeze()
