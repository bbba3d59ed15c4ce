"""The durable job table: the outbox every background job runs from, whichever runner picks it up."""

from server.clock import utcnow
from server.extensions import db

JOB_STATES = ("queued", "running", "done", "failed", "dead", "cancelled")
FINISHED_STATES = ("done", "failed", "dead", "cancelled")


class Job(db.Model):
    """One unit of background work. Arguments are plain ids, never secrets.

    A running job holds a lease (owner, expiry) that its runner renews; a runner that dies stops
    renewing, and the job becomes claimable again. Jobs sharing a ``key`` never run at the same
    time: a partial unique index allows one running job per key on every database.
    """

    __tablename__ = "jobs"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(60), nullable=False)
    args = db.Column(db.JSON, nullable=False, default=dict)
    key = db.Column(db.String(120))
    status = db.Column(db.String(10), nullable=False, default="queued")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    max_attempts = db.Column(db.Integer, nullable=False, default=8)
    run_after = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    lease_owner = db.Column(db.String(120))
    lease_expires_at = db.Column(db.DateTime(timezone=True))
    last_error = db.Column(db.String(1000))
    result = db.Column(db.JSON)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime(timezone=True))
    finished_at = db.Column(db.DateTime(timezone=True))

    __table_args__ = (
        db.Index("ix_jobs_status_run_after", "status", "run_after"),
        db.Index("ix_jobs_key_status", "key", "status"),
        db.Index("uq_jobs_running_key", "key", unique=True,
                 sqlite_where=db.text("status = 'running'"),
                 postgresql_where=db.text("status = 'running'")),
    )

    def __repr__(self):
        return f"<Job {self.id} {self.kind} {self.status}>"
