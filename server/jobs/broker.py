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
# A worker waits for messages with 1-second BRPOPs: a socket timeout must leave them room.
REDIS_BROKER_MIN_TIMEOUT = 2.0
# Sending a message retries once: with a broker that stops answering, the request that committed a
# job waits at most about twice the timeout, then goes on (the job is in the database; the tick
# sends it again once the broker is back).
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def timeouts(broker_url, timeout):
    """Celery settings bounding a Redis broker's calls by ``timeout`` seconds: every Redis command
    waits for its answer, so one that never comes would hold the caller (a web request that
    committed a job) forever. AMQP publishes without waiting for an answer, and its connection and
    handshake are bounded by Celery's own ``broker_connection_timeout``."""
    if not broker_url.startswith(("redis://", "rediss://", "redis+socket://")):
        return {}
    timeout = max(timeout, REDIS_BROKER_MIN_TIMEOUT)
    return {"broker_connection_timeout": timeout,
            "broker_transport_options": {"socket_timeout": timeout, "socket_connect_timeout": timeout}}


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
        task_publish_retry_policy=PUBLISH_RETRY_POLICY,
        **timeouts(flask_app.config["TTC_BROKER_URL"], flask_app.config["TTC_REDIS_TIMEOUT"]),
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
