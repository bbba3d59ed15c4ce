"""The real server (gunicorn with deploy/gunicorn.conf.py) in a subprocess: jobs and the schedule run
with no request made, two servers share one host, and a bad setting stops the start in one line."""
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from server.events.kicks import kick
from server.extensions import db
from server.models.catalog import StoreCatalog, SyncRun
from server.models.job import Job
from tests.factories import make_store
from tests.tcp import free_port
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def server_environment(tmp_path, instance, database_url, **settings):
    """The environment of a server started by an operator: its own instance folder, a shared HOME."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TTC_", "XDG_RUNTIME"))}
    env.update(HOME=str(tmp_path / "home"), TTC_INSTANCE_PATH=str(instance), TTC_DATABASE_URL=database_url,
               TTC_WORKERS="1", TTC_THREADS="2", TTC_JOB_RUNNER="embedded", TTC_JOB_POLL_SECONDS="0.2",
               TTC_JOB_TICK_SECONDS="1")
    env.update(settings)
    return env


def start_server(env, port):
    return subprocess.Popen([str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "--bind",
                             f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def stop(server):
    """Stop the server (once); returns what it printed."""
    if server.stdout.closed:
        return ""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    with server.stdout:
        return server.stdout.read()


def server_reaches(condition, server, what, timeout=60):
    """Wait until ``condition()`` holds in a fresh read of the database while ``server`` keeps running."""
    def reached():
        db.session.expire_all()
        result = condition()
        db.session.commit()
        assert result or server.poll() is None, f"the server stopped: {stop(server)}"
        return result

    return wait_until(reached, timeout=timeout, interval=0.2,
                      message=lambda: f"timed out waiting for {what}; server output: {stop(server)}")


@pytest.fixture
def instance(tmp_path):
    path = tmp_path / "server-instance"
    path.mkdir()
    return path


def test_a_queued_job_and_the_schedule_run_on_a_server_nobody_has_visited(session, database_url, tmp_path,
                                                                           instance):
    store = make_store()
    job = kick(session, store.id)
    connected = make_store(name="Conectada")
    connected.tiktok_state = "connected"
    session.flush()
    session.add(StoreCatalog(store_id=connected.id, reconcile_slot=0, mark_counter=0))  # reconciled long ago
    session.commit()
    job_id, connected_id = job.id, connected.id

    server = start_server(server_environment(tmp_path, instance, database_url), free_port())
    try:
        # No HTTP request is made: the worker's boot starts the runner.
        server_reaches(lambda: session.get(Job, job_id).status == "done", server, "the queued job")
        server_reaches(lambda: session.execute(select(SyncRun).where(
            SyncRun.store_id == connected_id, SyncRun.trigger == "schedule")).scalar(), server,
            "the scheduled reconcile")
    finally:
        stop(server)


def test_two_servers_on_one_host_keep_their_own_control_sockets(session, database_url, tmp_path):
    first_instance, second_instance = tmp_path / "a", tmp_path / "b"
    servers = [start_server(server_environment(tmp_path, path, database_url), free_port())
               for path in (first_instance, second_instance)]
    try:
        for path, server in zip((first_instance, second_instance), servers, strict=True):
            server_reaches(lambda path=path: (path / "gunicorn.ctl").is_socket(), server,
                           f"the control socket in {path}")
        stop(servers[0])
        assert (second_instance / "gunicorn.ctl").is_socket()  # the first one's exit left it alone
        assert servers[1].poll() is None
        with socket.socket(socket.AF_UNIX) as control:
            control.connect(str(second_instance / "gunicorn.ctl"))
        assert not (tmp_path / "home" / ".gunicorn").exists()
    finally:
        for server in servers:
            stop(server)


@pytest.mark.parametrize("name, value, says", [
    ("TTC_PIXEL_MAX_AGE", "abc", "a whole number from 0 to 86400"),
    ("TTC_JOB_RUNNER", "threads", "one of auto, embedded, celery, off"),
    ("TTC_AUTO_MIGRATE", "maybe", "true or false (1/0, yes/no, on/off)"),
    ("TTC_EVENTS_BATCH", "5000", "a whole number from 1 to 1000"),
])
def test_a_bad_setting_stops_gunicorn_and_the_command_line_with_one_line(tmp_path, instance, name, value,
                                                                         says):
    env = server_environment(tmp_path, instance, f"sqlite:///{instance}/db.sqlite3", **{name: value})
    expected = f"setting {name}={value!r} is not valid: it takes {says}"

    server = start_server(env, free_port())
    server.wait(60)
    output = stop(server)
    command = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "jobs", "--help"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    make = subprocess.run(["make", "--no-print-directory", "-o", f"{BIN}/activate", "serve", f"VENV={BIN.parent}",
                           f"PORT={free_port()}"],  # -o: the virtualenv is there; never reinstall it here
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert server.returncode != 0 and output.strip() == f"tiktok-connector: {expected}"
    assert command.returncode != 0 and command.stderr.strip() == f"Error: {expected}"
    assert make.returncode != 0 and f"tiktok-connector: {expected}" in make.stderr
    assert "Traceback" not in output + command.stderr + make.stderr + make.stdout
