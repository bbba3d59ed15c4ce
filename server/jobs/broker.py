"""The Celery side of the job layer: a Celery app whose two tasks run one job and the periodic tick.

Messages carry a job id and nothing else; the job's state lives in the database. The worker entry
point is ``server.jobs.celery_app``.
"""
from celery import Celery

from server.extensions import db
from server.jobs import queue, runner
from server.models.job import Job

RUN_TASK = "ttc.jobs.run"
TICK_TASK = "ttc.jobs.tick"


def make_celery(flask_app):
    """A Celery app bound to ``flask_app``: broker from TTC_BROKER_URL, the run and tick tasks."""
    queue_name = flask_app.config["TTC_JOB_QUEUE"]
    celery = Celery("tiktok-connector", broker=flask_app.config["TTC_BROKER_URL"], set_as_current=False)
    celery.conf.update(
        task_default_queue=queue_name,
        # A message is acknowledged only after its job ran, and a worker killed mid-job gives it back.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule={"ttc-tick": {"task": TICK_TASK, "options": {"queue": queue_name},
                                    "schedule": flask_app.config["TTC_JOB_TICK_SECONDS"]}},
    )

    @celery.task(name=RUN_TASK)
    def run(job_id):
        """Run one job, if it is due and its key is free (else it is re-sent when it can run)."""
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
        with flask_app.app_context():
            try:
                runner.tick(flask_app)
            finally:
                db.session.remove()

    return celery
