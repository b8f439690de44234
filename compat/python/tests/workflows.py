"""A workflow that runs one activity as a test asks, optionally cancelling it
on a signal: most seed activities are exercised through it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Optional

from temporalio import workflow
from temporalio.common import Priority, RetryPolicy


@dataclass
class ActivityCall:
    activity: str
    args: list = field(default_factory=list)
    start_to_close_seconds: float = 30
    heartbeat_seconds: Optional[float] = None
    schedule_to_close_seconds: Optional[float] = None
    max_attempts: int = 1
    initial_interval_seconds: float = 0.1
    priority_key: Optional[int] = None
    activity_id: Optional[str] = None
    task_queue: Optional[str] = None


@workflow.defn
class RunActivity:
    def __init__(self) -> None:
        self.cancel_requested = False

    @workflow.run
    async def run(self, call: ActivityCall) -> Any:
        handle = workflow.start_activity(
            call.activity,
            args=call.args,
            activity_id=call.activity_id,
            task_queue=call.task_queue,
            start_to_close_timeout=timedelta(seconds=call.start_to_close_seconds),
            schedule_to_close_timeout=timedelta(seconds=call.schedule_to_close_seconds) if call.schedule_to_close_seconds else None,
            heartbeat_timeout=timedelta(seconds=call.heartbeat_seconds) if call.heartbeat_seconds else None,
            retry_policy=RetryPolicy(
                maximum_attempts=call.max_attempts,
                initial_interval=timedelta(seconds=call.initial_interval_seconds),
            ),
            priority=Priority(priority_key=call.priority_key) if call.priority_key else Priority.default,
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        await workflow.wait_condition(lambda: self.cancel_requested or handle.done())
        if not handle.done():
            handle.cancel()
        return await handle

    @workflow.signal
    def cancel_activity(self) -> None:
        self.cancel_requested = True


@workflow.defn(name="external_workflow")
class ExternalWorkflow:
    """What the seed's query_external_service starts through activity.client()."""

    @workflow.run
    async def run(self, user_id: str) -> dict:
        return {"user_id": user_id, "profile": "gold"}
