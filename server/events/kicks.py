"""The relay job's name, and queueing it for a store (the collector, the API, the admin and upkeep do)."""
from server import jobs

RELAY_JOB = "events.relay"


def kick(session, store_id, *, delay=0.0):
    """Queue the store's relay job (one waiting job per store: later kicks join it); not committed."""
    return jobs.enqueue(session, RELAY_JOB, {"store_id": store_id}, key=f"events:{store_id}", delay=delay)
