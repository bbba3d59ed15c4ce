"""The Celery entry point for running jobs at scale::

    celery -A server.jobs.celery_app worker      # any number, on any number of machines
    celery -A server.jobs.celery_app beat        # one: the periodic tick (twice-daily reconciles...)

Like ``wsgi.py`` this module builds the application, but only when Celery asks for ``app``.
Messages carry a job id and nothing else; the job's state lives in the database.
"""
from celery.signals import worker_process_init

from server.app import create_app
from server.extensions import db
from server.jobs.broker import RUN_TASK, TICK_TASK, make_celery

__all__ = ["RUN_TASK", "TICK_TASK", "make_celery"]


def _build():
    flask_app = create_app()
    celery = make_celery(flask_app)

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**kwargs):
        # Forked worker processes must not share the parent's database connections.
        with flask_app.app_context():
            db.engine.dispose(close=False)

    return celery


def __getattr__(name):
    # Celery looks up ``app`` (then ``celery``); building on first access keeps imports side-effect free.
    if name in ("app", "celery"):
        built = globals().get("_built")
        if built is None:
            built = globals()["_built"] = _build()
        return built
    raise AttributeError(name)
