"""The Celery entry point for running jobs at scale::

    celery -A server.jobs.celery_app worker      # any number, on any number of machines
    celery -A server.jobs.celery_app beat        # one: the periodic tick (twice-daily reconciles...)

Like ``wsgi.py`` this module builds the application, but only when Celery asks for ``app``.
Messages carry a job id and nothing else; the job's state lives in the database.
"""
from celery import Celery
from celery.signals import worker_process_init

RUN_TASK = "ttc.jobs.run"
TICK_TASK = "ttc.jobs.tick"


def make_celery(flask_app):
    """A Celery app bound to ``flask_app``: broker from TTC_BROKER_URL, the run and tick tasks."""
    queue = flask_app.config["TTC_JOB_QUEUE"]
    celery = Celery("tiktok-connector", broker=flask_app.config["TTC_BROKER_URL"], set_as_current=False)
    celery.conf.update(
        task_default_queue=queue,
        # A message is acknowledged only after its job ran, and a worker killed mid-job gives it back.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule={"ttc-tick": {"task": TICK_TASK, "options": {"queue": queue},
                                    "schedule": flask_app.config["TTC_JOB_TICK_SECONDS"]}},
    )

    @celery.task(name=RUN_TASK)
    def run(job_id):
        """Run one job, if it is due and its key is free (else it is re-sent when it can run)."""
        from server.extensions import db
        from server.jobs import queue, runner
        from server.jobs.models import Job

        with flask_app.app_context():
            state = runner.settings(flask_app)
            owner = queue.new_owner()
            try:
                job = queue.claim(db.session, owner, lease_seconds=state.lease_seconds, job_id=job_id,
                                  reap_dead=state.reap_dead)
                if job is not None:
                    runner.execute(flask_app, db.session, job, owner)
                    return
                waiting = db.session.get(Job, job_id)
                if waiting is not None and waiting.status == "queued":
                    delay = (queue.as_utc(waiting.run_after) - queue.utcnow()).total_seconds()
                    if delay > 0:
                        state.send(job_id, countdown=delay)
            finally:
                db.session.remove()

    @celery.task(name=TICK_TASK)
    def tick():
        """The periodic tick: stale leases, periodic tasks, re-sending lost messages."""
        from server.extensions import db
        from server.jobs import runner

        with flask_app.app_context():
            try:
                runner.tick(flask_app)
            finally:
                db.session.remove()

    return celery


def _build():
    from server import create_app

    flask_app = create_app()
    celery = make_celery(flask_app)

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**kwargs):
        # Forked worker processes must not share the parent's database connections.
        from server.extensions import db

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
