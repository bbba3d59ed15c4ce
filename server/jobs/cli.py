"""``flask jobs ...``: look at the job outbox, bring back dead jobs, run a worker in the foreground."""
import json
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from server.extensions import db
from server.jobs import queue, runner
from server.models.job import JOB_STATES, Job


def job_summary(job):
    """A job as plain data."""
    return {"id": job.id, "kind": job.kind, "args": job.args, "key": job.key, "status": job.status,
            "attempts": job.attempts, "max_attempts": job.max_attempts,
            "run_after": queue.pretty_time(job.run_after), "last_error": job.last_error,
            "created_at": queue.pretty_time(job.created_at), "finished_at": queue.pretty_time(job.finished_at)}


@click.group("jobs")
def jobs_group():
    """Background jobs: list, retry dead ones, run a worker."""


@jobs_group.command("list")
@click.option("--status", type=click.Choice(JOB_STATES), help="Only jobs in this state (dead: the dead letters).")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def list_(status, limit, as_json):
    """List recent jobs, newest first, with counts per state."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        query = query.where(Job.status == status)
    jobs = db.session.execute(query).scalars().all()
    counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    if as_json:
        click.echo(json.dumps({"counts": counts, "jobs": [job_summary(j) for j in jobs]}, indent=2))
        return
    click.echo("  ".join(f"{name}: {counts.get(name, 0)}" for name in JOB_STATES))
    for job in jobs:
        error = f"  ({job.last_error})" if job.last_error and job.status != "done" else ""
        click.echo(f"#{job.id}  {job.kind}  {job.status}  attempts {job.attempts}/{job.max_attempts}{error}")


@jobs_group.command("retry")
@click.argument("job_id", type=int)
@with_appcontext
def retry(job_id):
    """Send a dead, failed or cancelled job back to the queue with fresh attempts."""
    if not queue.requeue(db.session, job_id):
        raise click.ClickException(f"job {job_id} is not dead, failed or cancelled (or does not exist)")
    runner.settings(current_app).notify({job_id})
    click.echo(f"Job {job_id} is queued again.")


@jobs_group.command("tick")
@with_appcontext
def tick():
    """Run the periodic tick once (stale leases, due reconciles)."""
    runner.tick(current_app)
    click.echo("Tick done.")


@jobs_group.command("work")
@click.option("--threads", type=int, help="Worker threads (default TTC_JOB_THREADS).")
@with_appcontext
def work(threads):
    """Run jobs in the foreground (the embedded runner as its own process) until stopped."""
    app = current_app._get_current_object()
    state = runner.settings(app)
    worker = runner.EmbeddedRunner(app, threads=threads or state.threads, poll_seconds=state.poll_seconds,
                                   tick_seconds=state.tick_seconds)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    state.runner = worker
    worker.start()
    click.echo(f"Running jobs with {worker.threads} thread(s); Ctrl-C stops after the current jobs.", err=True)
    stopped.wait()
    worker.stop()
