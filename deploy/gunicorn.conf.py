"""Production gunicorn settings (override any with GUNICORN_CMD_ARGS or command-line flags)."""
import multiprocessing
import os

bind = os.environ.get("TTC_BIND", "127.0.0.1:8000")
# Threaded workers keep shoppers' connections alive; the pixel path holds no lock and does no I/O.
worker_class = "gthread"
workers = int(os.environ.get("TTC_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("TTC_THREADS", 4))
keepalive = 30
timeout = 60
graceful_timeout = 30
# Build the app (and upgrade the schema) once in the master, before forking the workers.
preload_app = True
accesslog = os.environ.get("TTC_ACCESS_LOG") or None
errorlog = "-"
