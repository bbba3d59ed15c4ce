"""How a job handler tells the job layer what happened, short of returning normally."""


class JobError(Exception):
    """Root of the outcomes a job handler may raise on purpose."""


class RetryLater(JobError):
    """Raised when the work may succeed later (a throttled or failing remote): run again in ``delay``
    seconds, or dead-letter the job once it has used its attempts."""

    def __init__(self, message, *, delay):
        super().__init__(message)
        self.delay = max(0.0, float(delay))


class JobFailed(JobError):
    """Raised when retrying cannot help (refused input, a missing object): the job is dead-lettered."""


class JobCancelled(JobError):
    """Raised when the work no longer applies (e.g. the store was disconnected): stop, no retry."""


class LeaseLost(JobError):
    """Raised when another runner took the job over (this runner was presumed dead): stop at once."""


class UnknownJobKind(JobError):
    """Raised when a job's kind has no registered handler in this process."""
