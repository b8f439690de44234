"""Activities for the multiprocess executor: module-level functions, so a
spawned child process can import them by name."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import CancelledError


@activity.defn
def multiprocess_heartbeat(total: int) -> str:
    """Heartbeats its progress; the first attempt fails after two steps and the
    next one resumes from the heartbeat details."""
    info = activity.info()
    start = info.heartbeat_details[0] if info.heartbeat_details else 0
    if info.attempt == 1:
        for step in range(start, 2):
            activity.heartbeat(step + 1)
        raise RuntimeError("attempt 1 fails after two steps")
    return f"resumed at {start} of {total} on attempt {info.attempt}"


@activity.defn
def multiprocess_wait_cancel() -> str:
    """Heartbeats until the cancellation reaches the child process."""
    for _ in range(600):
        activity.heartbeat()
        if activity.wait_for_cancelled_sync(0.1):
            break
    if activity.is_cancelled():
        raise CancelledError("the child process saw the cancellation")
    return "never cancelled"
