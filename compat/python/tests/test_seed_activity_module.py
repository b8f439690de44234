"""Seed 000 (the temporalio.activity module reference): every example, written
as the seed writes it, run by a worker against `sundial server`. Where the seed
calls helpers it does not define, seed_helpers supplies recording stand-ins.
Asynchronous activities run on the event loop, synchronous ones on a thread
pool (activity_executor), as the seed's two forms ask.

Where the seed's text does not run on temporalio 1.35.0 whatever the server,
the test departs from it, and says so: dynamic activities take
collections.abc.Sequence[RawValue] (the SDK compares the hint with that type
and refuses typing.Sequence), and an external system completes an activity
through client.get_async_activity_handle (the seed's
client.complete_activity_by_task_token does not exist); the metric meter's
float duration goes to create_histogram_float (create_histogram's record takes
an int)."""


import asyncio
import concurrent.futures
import logging
import time
from datetime import timedelta
from collections.abc import Sequence  # the seed imports typing.Sequence; see below
from typing import Any, List

import pytest
import temporalio.common
import temporalio.exceptions
from temporalio import activity, workflow
from temporalio.activity import ActivityCancellationDetails, Info, LoggerAdapter
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RawValue
from temporalio.exceptions import ActivityError, CancelledError, TimeoutError
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig

from conftest import history_event_types, run_workflow, running_worker, unique, wait_for_activity_started
from seed_helpers import (
    cleanup_resources,
    external_system,
    gate,
    handle_cancellation_cleanup,
    handle_shutdown_cleanup,
    handle_timeout_cleanup,
    process_dynamic_args,
    process_item,
    record,
    save_partial_results,
    save_results,
)
from workflows import ActivityCall, ExternalWorkflow, RunActivity

# The seed logs through these names.
activity_logger = logging.getLogger("seed.activity_logger")
logger = logging.getLogger("seed.logger")


@pytest.fixture(autouse=True)
def fresh_recorder():
    record.clear()
    from seed_helpers import gates

    gates.clear()
    yield


@pytest.fixture(scope="module")
def executor():
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        yield pool


# --- Activity Definition -----------------------------------------------------


@activity.defn
async def process_data(data: str) -> str:
    """Async activity function."""
    return f"Processed: {data}"


@activity.defn
def sync_process_data(data: str) -> str:
    """Synchronous activity function."""
    return f"Processed: {data}"


@activity.defn(name="custom_activity_name")
async def my_activity(input: str) -> str:
    return f"Result: {input}"


def process_critical_data(data: str) -> str:
    # Runs on until the cancellation arrives, then finishes its work anyway.
    while not activity.is_cancelled():
        activity.heartbeat()
        activity.wait_for_cancelled_sync(0.1)
    record.add("critical_done", data)
    return f"critical {data} finished"


@activity.defn(no_thread_cancel_exception=True)
def robust_activity(data: str) -> str:
    """Activity that won't have cancellation exceptions thrown in threads."""
    # Critical cleanup logic that should not be interrupted
    return process_critical_data(data)


@activity.defn(dynamic=True)
async def dynamic_activity(args: Sequence[RawValue]) -> Any:
    """Dynamic activity that can handle any activity type."""
    # Use payload_converter() to decode raw values
    converter = activity.payload_converter()
    decoded_args = [converter.from_payload(arg.payload) for arg in args]
    return process_dynamic_args(decoded_args)


@activity.defn(dynamic=True)
async def dynamic_payload_activity(args: Sequence[temporalio.common.RawValue]) -> Any:
    """Dynamic activity that handles various payload types."""
    converter = activity.payload_converter()

    # Convert raw payloads to Python objects
    decoded_args = []
    for raw_value in args:
        decoded = converter.from_payload(raw_value.payload)
        decoded_args.append(decoded)

    # Process based on argument types
    if len(decoded_args) == 1 and isinstance(decoded_args[0], str):
        return f"String processing: {decoded_args[0]}"
    elif len(decoded_args) == 2 and all(isinstance(arg, int) for arg in decoded_args):
        return f"Math result: {decoded_args[0] + decoded_args[1]}"
    else:
        return f"Generic processing: {decoded_args}"


@workflow.defn
class CallCustomByReference:
    @workflow.run
    async def run(self, value: str) -> str:
        return await workflow.execute_activity(my_activity, value, start_to_close_timeout=timedelta(seconds=30))


async def test_basic_activity_definitions(client: Client, task_queue: str, executor) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[process_data, sync_process_data], activity_executor=executor):
        assert await run_workflow(client, RunActivity.run, ActivityCall("process_data", ["a"]), task_queue=task_queue) == "Processed: a"
        assert await run_workflow(client, RunActivity.run, ActivityCall("sync_process_data", ["b"]), task_queue=task_queue) == "Processed: b"


async def test_named_activity(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity, CallCustomByReference], activities=[my_activity]):
        assert await run_workflow(client, RunActivity.run, ActivityCall("custom_activity_name", ["x"]), task_queue=task_queue) == "Result: x"
        handle = await client.start_workflow(CallCustomByReference.run, "y", id=unique("by-ref"), task_queue=task_queue)
        assert await handle.result() == "Result: y"
        # Called by reference, the activity is scheduled under its custom name.
        history = await handle.fetch_history()
        scheduled = [e for e in history.events if e.HasField("activity_task_scheduled_event_attributes")]
        assert [e.activity_task_scheduled_event_attributes.activity_type.name for e in scheduled] == ["custom_activity_name"]


async def test_thread_safe_cancellation_control(client: Client, task_queue: str, executor) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[robust_activity], activity_executor=executor):
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("robust_activity", ["ledger"], heartbeat_seconds=5), id=unique("robust"), task_queue=task_queue
        )
        await wait_for_activity_started(handle)
        await handle.signal(RunActivity.cancel_activity)
        # No exception was thrown into the thread: the critical work completed
        # after the cancellation, and its result reached the workflow.
        assert await asyncio.wait_for(handle.result(), 60) == "critical ledger finished"
    assert record.values("critical_done") == ["ledger"]


async def test_dynamic_activities(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[dynamic_activity]):
        result = await run_workflow(client, RunActivity.run, ActivityCall("any_type_at_all", ["one", 2, {"three": 3}]), task_queue=task_queue)
        assert result == {"decoded": ["one", 2, {"three": 3}]}
    other_queue = unique("dyn-payload")
    async with running_worker(client, other_queue, workflows=[RunActivity], activities=[dynamic_payload_activity]):
        assert await run_workflow(client, RunActivity.run, ActivityCall("text", ["hi"]), task_queue=other_queue) == "String processing: hi"
        assert await run_workflow(client, RunActivity.run, ActivityCall("sum", [2, 3]), task_queue=other_queue) == "Math result: 5"
        assert await run_workflow(client, RunActivity.run, ActivityCall("mixed", [1.5, None, True]), task_queue=other_queue) == "Generic processing: [1.5, None, True]"


# --- Activity Context Functions ----------------------------------------------


@activity.defn
async def query_external_service(user_id: str) -> dict:
    """Activity that uses the client to interact with Temporal."""
    client = activity.client()

    # Can use client to start child workflows, query other executions, etc.
    result = await client.execute_workflow(
        "external_workflow",
        user_id,
        id=f"external-{user_id}",
        task_queue="external-queue"
    )
    return result


async def test_client_inside_activity(client: Client, task_queue: str) -> None:
    user_id = unique("user")
    async with running_worker(client, "external-queue", workflows=[ExternalWorkflow]), running_worker(
        client, task_queue, workflows=[RunActivity], activities=[query_external_service]
    ):
        result = await run_workflow(client, RunActivity.run, ActivityCall("query_external_service", [user_id]), task_queue=task_queue)
    assert result == {"user_id": user_id, "profile": "gold"}
    described = await client.get_workflow_handle(f"external-{user_id}").describe()
    assert described.workflow_type == "external_workflow"


@activity.defn
def sync_activity_without_client() -> str:
    try:
        activity.client()
    except RuntimeError as err:
        return f"no client: {err}"
    return "had a client"


async def test_client_only_in_async_activities(client: Client, task_queue: str, executor) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[sync_activity_without_client], activity_executor=executor):
        result = await run_workflow(client, RunActivity.run, ActivityCall("sync_activity_without_client"), task_queue=task_queue)
    assert result.startswith("no client")


@activity.defn
async def tracked_activity(data: str) -> str:
    """Activity that uses info for logging and tracking."""
    info = activity.info()

    # Access activity execution details
    activity_logger.info(
        f"Processing activity {info.activity_type} "
        f"(attempt {info.attempt}) for workflow {info.workflow_id}"
    )

    return f"Processed {data} in attempt {info.attempt}"


@activity.defn
async def info_logging_activity(data: str) -> str:
    """Activity that logs detailed execution information."""
    info = activity.info()

    # Log execution details
    logger.info(f"Activity {info.activity_type} started")
    logger.info(f"Attempt {info.attempt} of activity {info.activity_id}")
    logger.info(f"Running for workflow {info.workflow_type}:{info.workflow_id}")
    logger.info(f"Task queue: {info.task_queue}")
    logger.info(f"Is local activity: {info.is_local}")

    if info.heartbeat_timeout:
        logger.info(f"Heartbeat timeout: {info.heartbeat_timeout}")

    if info.start_to_close_timeout:
        logger.info(f"Start-to-close timeout: {info.start_to_close_timeout}")

    # Use priority information
    if info.priority.priority_key:
        logger.info(f"Priority key: {info.priority.priority_key}")

    return f"Processed {data} in attempt {info.attempt}"


@activity.defn
def sync_info_activity() -> dict:
    info: Info = activity.info()
    return {
        "activity_id": info.activity_id,
        "activity_type": info.activity_type,
        "attempt": info.attempt,
        "heartbeat_details": list(info.heartbeat_details),
        "is_local": info.is_local,
        "task_queue": info.task_queue,
        "task_token": len(info.task_token) > 0,
        "workflow_id": info.workflow_id,
        "workflow_namespace": info.workflow_namespace,
        "workflow_run_id": info.workflow_run_id,
        "workflow_type": info.workflow_type,
        "schedule_to_close_timeout": info.schedule_to_close_timeout.total_seconds() if info.schedule_to_close_timeout else None,
        "start_to_close_timeout": info.start_to_close_timeout.total_seconds() if info.start_to_close_timeout else None,
        "order": info.scheduled_time <= info.current_attempt_scheduled_time <= info.started_time,
        "priority_key": info.priority.priority_key,
    }


async def test_activity_info(client: Client, task_queue: str, executor, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="seed")
    wf_id = unique("info")
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[tracked_activity, info_logging_activity, sync_info_activity], activity_executor=executor):
        assert await run_workflow(client, RunActivity.run, ActivityCall("tracked_activity", ["t"]), task_queue=task_queue, id=wf_id + "-t") == "Processed t in attempt 1"
        call = ActivityCall("info_logging_activity", ["d"], heartbeat_seconds=5, priority_key=2, activity_id="info-act")
        assert await run_workflow(client, RunActivity.run, call, task_queue=task_queue, id=wf_id) == "Processed d in attempt 1"
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("sync_info_activity", schedule_to_close_seconds=40, priority_key=4), id=wf_id + "-sync", task_queue=task_queue
        )
        info = await handle.result()
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("seed.")]
    assert f"Processing activity tracked_activity (attempt 1) for workflow {wf_id}-t" in messages
    for expected in [
        "Activity info_logging_activity started",
        "Attempt 1 of activity info-act",
        f"Running for workflow RunActivity:{wf_id}",
        f"Task queue: {task_queue}",
        "Is local activity: False",
        "Heartbeat timeout: 0:00:05",
        "Start-to-close timeout: 0:00:30",
        "Priority key: 2",
    ]:
        assert expected in messages, f"{expected!r} not logged; logged: {messages}"
    assert info == {
        "activity_id": "1",
        "activity_type": "sync_info_activity",
        "attempt": 1,
        "heartbeat_details": [],
        "is_local": False,
        "task_queue": task_queue,
        "task_token": True,
        "workflow_id": wf_id + "-sync",
        "workflow_namespace": "default",
        "workflow_run_id": handle.result_run_id,
        "workflow_type": "RunActivity",
        "schedule_to_close_timeout": 40.0,
        "start_to_close_timeout": 30.0,
        "order": True,
        "priority_key": 4,
    }


def conditional_logic():
    """Function that behaves differently in activity vs non-activity context."""
    if activity.in_activity():
        # Use activity-specific logging and error handling
        info = activity.info()
        logger = activity.logger
        logger.info(f"Running in activity {info.activity_type}")
    else:
        # Use regular application logging
        logger = logging.getLogger(__name__)
        logger.info("Running outside activity context")


@activity.defn
def conditional_activity() -> bool:
    conditional_logic()
    return activity.in_activity()


async def test_context_detection(client: Client, task_queue: str, executor, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    conditional_logic()
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[conditional_activity], activity_executor=executor):
        assert await run_workflow(client, RunActivity.run, ActivityCall("conditional_activity"), task_queue=task_queue) is True
    messages = [r.getMessage() for r in caplog.records]
    assert "Running outside activity context" in messages
    assert any(m.startswith("Running in activity conditional_activity") for m in messages), messages


# --- Heartbeats ----------------------------------------------------------------


@activity.defn
async def long_running_task(items: List[str]) -> List[str]:
    """Activity that reports progress via heartbeats."""
    results = []

    for i, item in enumerate(items):
        # Process the item
        result = await process_item(item)
        results.append(result)

        # Send heartbeat with progress details
        progress = {
            "processed": i + 1,
            "total": len(items),
            "last_item": item
        }
        activity.heartbeat(progress)

        # Check for cancellation periodically
        if activity.is_cancelled():
            break

    return results


async def test_heartbeat_progress(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[long_running_task]):
        result = await run_workflow(client, RunActivity.run, ActivityCall("long_running_task", [["a", "b", "c"]], heartbeat_seconds=10), task_queue=task_queue)
    assert result == ["done:a", "done:b", "done:c"]


# Heartbeat details resumed on retry: the seeds say that after a crash "these
# details are available as activity.info().heartbeat_details". The first
# attempt of each form heartbeats its progress and fails half-way.


@activity.defn
async def resumable_task(items: List[str]) -> dict:
    info = activity.info()
    start = info.heartbeat_details[0]["processed"] if info.heartbeat_details else 0
    for i in range(start, len(items)):
        await process_item(items[i])
        activity.heartbeat({"processed": i + 1, "total": len(items), "last_item": items[i]})
        if info.attempt == 1 and i == 1:
            raise RuntimeError("crash after two items")
    return {"attempt": info.attempt, "resumed_from": start}


@activity.defn
def resumable_task_sync(items: List[str]) -> dict:
    info = activity.info()
    start = info.heartbeat_details[0]["processed"] if info.heartbeat_details else 0
    for i in range(start, len(items)):
        record.add("process_item", items[i])
        activity.heartbeat({"processed": i + 1, "total": len(items), "last_item": items[i]})
        if info.attempt == 1 and i == 1:
            raise RuntimeError("crash after two items")
    return {"attempt": info.attempt, "resumed_from": start}


@pytest.mark.parametrize("name", ["resumable_task", "resumable_task_sync"])
async def test_heartbeat_details_resumed_on_retry(client: Client, task_queue: str, executor, name: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[resumable_task, resumable_task_sync], activity_executor=executor):
        call = ActivityCall(name, [["a", "b", "c", "d"]], heartbeat_seconds=10, max_attempts=3)
        result = await run_workflow(client, RunActivity.run, call, task_queue=task_queue)
    assert result == {"attempt": 2, "resumed_from": 2}
    assert record.values("process_item") == ["a", "b", "c", "d"]


# --- Cancellation ----------------------------------------------------------------


@activity.defn
async def cancellable_activity(duration_seconds: int) -> str:
    """Activity that gracefully handles cancellation."""
    start_time = time.time()

    while time.time() - start_time < duration_seconds:
        # Check for cancellation
        if activity.is_cancelled():
            # Perform cleanup
            await cleanup_resources()
            return "Cancelled gracefully"

        # Do some work
        await asyncio.sleep(1)
        activity.heartbeat({"elapsed": time.time() - start_time})

    return "Completed successfully"


@activity.defn(no_thread_cancel_exception=True)
def cancellable_activity_threaded(duration_seconds: int) -> str:
    """The same loop in a thread, with no exception thrown into it."""
    start_time = time.time()
    while time.time() - start_time < duration_seconds:
        if activity.is_cancelled():
            record.add("cleanup_resources")
            return "Cancelled gracefully"
        activity.wait_for_cancelled_sync(0.2)
        activity.heartbeat({"elapsed": time.time() - start_time})
    return "Completed successfully"


async def cancel_running(client: Client, task_queue: str, call: ActivityCall):
    handle = await client.start_workflow(RunActivity.run, call, id=unique("cancel"), task_queue=task_queue)
    await wait_for_activity_started(handle)
    await handle.signal(RunActivity.cancel_activity)
    return handle


async def test_cancellation_async(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[cancellable_activity]):
        handle = await cancel_running(client, task_queue, ActivityCall("cancellable_activity", [60], heartbeat_seconds=5))
        # In an async activity the cancellation is asyncio's: it is raised at
        # the await, so the activity ends cancelled.
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 60)
    assert isinstance(failure.value.cause, ActivityError)
    assert isinstance(failure.value.cause.cause, CancelledError)
    events = history_event_types(await handle.fetch_history())
    assert "EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED" in events
    assert "EVENT_TYPE_ACTIVITY_TASK_CANCELED" in events


async def test_cancellation_threaded(client: Client, task_queue: str, executor) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[cancellable_activity_threaded], activity_executor=executor):
        handle = await cancel_running(client, task_queue, ActivityCall("cancellable_activity_threaded", [60], heartbeat_seconds=5))
        assert await asyncio.wait_for(handle.result(), 60) == "Cancelled gracefully"
    assert record.names() == ["cleanup_resources"]


async def perform_work() -> None:
    for _ in range(600):
        activity.heartbeat()
        await asyncio.sleep(0.1)


@activity.defn
async def detailed_cancellation_handling() -> str:
    """Activity that provides detailed cancellation information."""
    try:
        # Perform long-running work
        await perform_work()
        return "Success"
    except Exception:
        # Check cancellation details
        details = activity.cancellation_details()
        if details:
            if details.timed_out:
                await handle_timeout_cleanup()
                return "Timed out, cleanup completed"
            elif details.cancel_requested:
                await handle_cancellation_cleanup()
                return "Cancelled by request, cleanup completed"
            elif details.worker_shutdown:
                await handle_shutdown_cleanup()
                return "Worker shutdown, cleanup completed"
        raise
    finally:
        record.add("details", activity.cancellation_details())


def perform_work_sync() -> None:
    for _ in range(600):
        activity.heartbeat()
        time.sleep(0.1)


@activity.defn
def detailed_cancellation_handling_threaded() -> str:
    """The seed's handler in a thread, where the cancellation is raised as
    temporalio.exceptions.CancelledError, an Exception."""
    try:
        perform_work_sync()
        return "Success"
    except Exception:
        details = activity.cancellation_details()
        if details:
            if details.timed_out:
                record.add("handle_timeout_cleanup")
                return "Timed out, cleanup completed"
            elif details.cancel_requested:
                record.add("handle_cancellation_cleanup")
                return "Cancelled by request, cleanup completed"
            elif details.worker_shutdown:
                record.add("handle_shutdown_cleanup")
                return "Worker shutdown, cleanup completed"
        raise
    finally:
        record.add("details", activity.cancellation_details())


async def test_cancellation_details_cancel_requested(client: Client, task_queue: str, executor) -> None:
    async with running_worker(
        client, task_queue, workflows=[RunActivity], activities=[detailed_cancellation_handling, detailed_cancellation_handling_threaded], activity_executor=executor
    ):
        # Threaded: the seed's except clause sees the cancellation and returns.
        handle = await cancel_running(client, task_queue, ActivityCall("detailed_cancellation_handling_threaded", heartbeat_seconds=5))
        assert await asyncio.wait_for(handle.result(), 60) == "Cancelled by request, cleanup completed"
        assert record.values("details") == [ActivityCancellationDetails(cancel_requested=True)]
        assert "handle_cancellation_cleanup" in record.names()
        record.clear()
        # Async: asyncio.CancelledError is no Exception, so it passes the
        # except clause and the activity ends cancelled, with the details set.
        handle = await cancel_running(client, task_queue, ActivityCall("detailed_cancellation_handling", heartbeat_seconds=5))
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 60)
        assert isinstance(failure.value.cause.cause, CancelledError)
        assert record.values("details") == [ActivityCancellationDetails(cancel_requested=True)]


async def test_cancellation_details_timed_out(client: Client, task_queue: str, executor) -> None:
    # The attempt times out on the server at 2s. The worker's throttle holds
    # the heartbeats after the first (no heartbeat timeout: 30s), so the
    # activity learns of it from the SDK core's own start-to-close timer
    # (2s plus its 5s buffer), whose cancellation says timed out.
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[detailed_cancellation_handling_threaded], activity_executor=executor):
        call = ActivityCall("detailed_cancellation_handling_threaded", start_to_close_seconds=2)
        with pytest.raises(WorkflowFailureError) as failure:
            await run_workflow(client, RunActivity.run, call, task_queue=task_queue)
        assert isinstance(failure.value.cause, ActivityError)
        assert isinstance(failure.value.cause.cause, TimeoutError)
        await record.wait_for("details")
    details = record.values("details")[0]
    assert details is not None and details.timed_out, details
    assert "handle_timeout_cleanup" in record.names()


async def test_cancellation_details_worker_shutdown(client: Client, task_queue: str, executor) -> None:
    worker_cm = running_worker(client, task_queue, workflows=[RunActivity], activities=[detailed_cancellation_handling_threaded], activity_executor=executor)
    async with worker_cm as worker:
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("detailed_cancellation_handling_threaded", heartbeat_seconds=5, max_attempts=2), id=unique("shutdown"), task_queue=task_queue
        )
        await wait_for_activity_started(handle)
        await worker.shutdown()
    assert record.values("details") == [ActivityCancellationDetails(worker_shutdown=True)]
    assert "handle_shutdown_cleanup" in record.names()
    # The attempt's outcome was reported: the workflow got the result.
    async with running_worker(client, task_queue, workflows=[RunActivity]):
        assert await asyncio.wait_for(handle.result(), 60) == "Worker shutdown, cleanup completed"


# --- Shielding --------------------------------------------------------------------


def perform_critical_operation(data: str) -> str:
    # Long enough for the cancellation to arrive while shielded.
    while not activity.is_cancelled():
        activity.heartbeat()
        activity.wait_for_cancelled_sync(0.1)
    record.add("critical_operation_finished", data)
    return f"critical:{data}"


def cleanup_critical_resources() -> None:
    record.add("cleanup_critical_resources")


@activity.defn
def sync_activity_with_cleanup(data: str) -> str:
    """Synchronous activity that performs critical cleanup."""
    try:
        # Critical section that should not be interrupted
        with activity.shield_thread_cancel_exception():
            # Perform critical operations
            critical_result = perform_critical_operation(data)

            # Critical cleanup that must complete
            cleanup_critical_resources()

            return critical_result
    except temporalio.exceptions.CancelledError:
        # Handle cancellation after cleanup is complete
        return "Cancelled after cleanup"


async def test_shielding(client: Client, task_queue: str, executor) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[sync_activity_with_cleanup], activity_executor=executor):
        handle = await cancel_running(client, task_queue, ActivityCall("sync_activity_with_cleanup", ["db"], heartbeat_seconds=5))
        assert await asyncio.wait_for(handle.result(), 60) == "Cancelled after cleanup"
    # The shielded block ran to its end before the cancellation was raised.
    assert record.names() == ["critical_operation_finished", "cleanup_critical_resources"]


# --- Synchronous cancellation waiting -----------------------------------------------


def perform_work_unit() -> int:
    activity.heartbeat()
    record.add("work_unit")
    return len(record.values("work_unit"))


def work_is_complete(result: int) -> bool:
    return result >= 10_000


@activity.defn
def sync_monitoring_activity(check_interval: float = 1.0) -> str:
    """Synchronous activity that monitors for cancellation."""
    while True:
        # Perform some work
        result = perform_work_unit()

        # Wait for cancellation with timeout
        activity.wait_for_cancelled_sync(timeout=check_interval)

        # Check if actually cancelled
        if activity.is_cancelled():
            return "Cancelled during monitoring"

        # Continue if timeout occurred (not cancelled)
        if work_is_complete(result):
            return "Work completed successfully"


@activity.defn(no_thread_cancel_exception=True)
def sync_monitoring_activity_quiet(check_interval: float = 1.0) -> str:
    while True:
        result = perform_work_unit()
        activity.wait_for_cancelled_sync(timeout=check_interval)
        if activity.is_cancelled():
            return "Cancelled during monitoring"
        if work_is_complete(result):
            return "Work completed successfully"


async def test_wait_for_cancelled_sync(client: Client, task_queue: str, executor) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[sync_monitoring_activity, sync_monitoring_activity_quiet], activity_executor=executor):
        # With the default, the cancellation is raised in the thread...
        handle = await cancel_running(client, task_queue, ActivityCall("sync_monitoring_activity", [0.1], heartbeat_seconds=5))
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 60)
        assert isinstance(failure.value.cause.cause, CancelledError)
        # ...with no_thread_cancel_exception, the seed's check returns.
        handle = await cancel_running(client, task_queue, ActivityCall("sync_monitoring_activity_quiet", [0.1], heartbeat_seconds=5))
        assert await asyncio.wait_for(handle.result(), 60) == "Cancelled during monitoring"


# --- Worker shutdown --------------------------------------------------------------------


@activity.defn
async def shutdown_aware_activity(data: List[str]) -> List[str]:
    """Activity that handles worker shutdown gracefully."""
    results = []

    for item in data:
        # Check if worker is shutting down
        if activity.is_worker_shutdown():
            # Save partial progress and exit cleanly
            await save_partial_results(results)
            raise Exception("Worker shutting down, partial results saved")

        result = await process_item(item)
        results.append(result)
        if len(results) == 2 and activity.info().attempt == 1:
            # Hold here until the test has begun the worker's shutdown.
            record.add("holding")
            await activity.wait_for_worker_shutdown()

    return results


def process_item_waiting(item: str) -> str:
    record.add("process_item", item)
    if len(record.values("process_item")) == 2 and activity.info().attempt == 1:
        record.add("holding")
        activity.wait_for_worker_shutdown_sync(timeout=30)
    return f"done:{item}"


@activity.defn
def graceful_shutdown_activity(work_items: List[str]) -> List[str]:
    """Activity that gracefully handles worker shutdown."""
    results = []

    for item in work_items:
        # Process item
        result = process_item_waiting(item)
        results.append(result)

        # Check for worker shutdown with timeout
        activity.wait_for_worker_shutdown_sync(timeout=0.1)

        if activity.is_worker_shutdown():
            # Save partial results before shutdown
            save_results(results)
            raise Exception(f"Worker shutdown, saved {len(results)} results")

    return results


@pytest.mark.parametrize("name", ["shutdown_aware_activity", "graceful_shutdown_activity"])
async def test_worker_shutdown(client: Client, task_queue: str, executor, name: str) -> None:
    activities = [shutdown_aware_activity, graceful_shutdown_activity]
    call = ActivityCall(name, [["a", "b", "c", "d"]], heartbeat_seconds=None, max_attempts=2)
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=activities, activity_executor=executor, graceful_shutdown_timeout=timedelta(seconds=20)) as worker:
        handle = await client.start_workflow(RunActivity.run, call, id=unique("graceful"), task_queue=task_queue)
        await record.wait_for("holding")
        await worker.shutdown()
    saved = record.values("save_partial_results") + record.values("save_results")
    assert saved == [["done:a", "done:b"]]
    # The failed attempt was reported before the worker stopped; a new worker
    # runs the retry to the end.
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=activities, activity_executor=executor):
        assert await asyncio.wait_for(handle.result(), 60) == ["done:a", "done:b", "done:c", "done:d"]
    history = await handle.fetch_history()
    failed = [e for e in history.events if e.HasField("activity_task_started_event_attributes")]
    assert [e.activity_task_started_event_attributes.attempt for e in failed] == [2]
    assert "Worker shut" in str(
        [e.activity_task_started_event_attributes.last_failure.message for e in failed]
    )


# --- Async completion ---------------------------------------------------------------------


@activity.defn
async def async_completion_activity(task_id: str) -> str:
    """Activity that will be completed externally."""
    # Start external process
    external_system.start_task(task_id, callback_url="http://callback/complete")

    # Register for external completion
    activity.raise_complete_async()
    # This line will never be reached


async def test_async_completion_by_task_token(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[async_completion_activity]):
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("async_completion_activity", ["task-1"], heartbeat_seconds=30), id=unique("async-token"), task_queue=task_queue
        )
        await record.wait_for("external_task")
        task_id, callback_url, activity_task_token = record.values("external_task")[0]
        assert (task_id, callback_url) == ("task-1", "http://callback/complete")
        # The external system completes the activity with the client. (The seed
        # calls it complete_activity_by_task_token; the SDK's API is the async
        # activity handle.)
        external = client.get_async_activity_handle(task_token=activity_task_token)
        await external.heartbeat("still working")
        await external.complete("External completion result")
        assert await asyncio.wait_for(handle.result(), 60) == "External completion result"


async def test_async_completion_by_id(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[async_completion_activity]):
        wf_id = unique("async-id")
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("async_completion_activity", ["task-2"], activity_id="external-act"), id=wf_id, task_queue=task_queue
        )
        await record.wait_for("external_task")
        by_id = client.get_async_activity_handle(workflow_id=wf_id, run_id=None, activity_id="external-act")
        await by_id.complete({"status": "ok"})
        assert await asyncio.wait_for(handle.result(), 60) == {"status": "ok"}

        # Failing one by id fails the workflow's activity with that error.
        record.clear()
        wf_id = unique("async-id-fail")
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("async_completion_activity", ["task-3"], activity_id="external-act"), id=wf_id, task_queue=task_queue
        )
        await record.wait_for("external_task")
        await client.get_async_activity_handle(workflow_id=wf_id, run_id=handle.result_run_id, activity_id="external-act").fail(
            temporalio.exceptions.ApplicationError("external system gave up", non_retryable=True)
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 60)
        assert "external system gave up" in str(failure.value.cause.cause)


async def test_async_completion_reports_cancellation(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[async_completion_activity]):
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("async_completion_activity", ["task-4"], heartbeat_seconds=30), id=unique("async-cancel"), task_queue=task_queue
        )
        await record.wait_for("external_task")
        token = record.values("external_task")[0][2]
        await handle.signal(RunActivity.cancel_activity)
        external = client.get_async_activity_handle(task_token=token)

        async def heartbeat_says_cancelled() -> bool:
            try:
                await external.heartbeat()
            except temporalio.client.AsyncActivityCancelledError:
                return True
            return False

        from conftest import wait_until

        await wait_until(heartbeat_says_cancelled)
        await external.report_cancellation("stopped by the external system")
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 60)
        assert isinstance(failure.value.cause.cause, CancelledError)


# --- Metric meter and logger adapter ---------------------------------------------------


@activity.defn
async def metrics_activity(data_size: int) -> str:
    """Activity that records custom metrics."""
    meter = activity.metric_meter()

    # Create custom metrics
    processing_counter = meter.create_counter(
        "activity_items_processed",
        "Number of items processed by activity"
    )

    # The seed calls create_histogram, whose record() takes an int in
    # temporalio 1.35.0; the float duration needs create_histogram_float.
    processing_histogram = meter.create_histogram_float(
        "activity_processing_duration",
        "Time spent processing items"
    )

    start_time = time.time()

    # Process data with metrics
    for i in range(data_size):
        await process_item(i)
        processing_counter.add(1)

    duration = time.time() - start_time
    processing_histogram.record(duration)

    return f"Processed {data_size} items in {duration:.2f}s"


@activity.defn
def sync_metrics_activity(data_size: int) -> str:
    meter = activity.metric_meter()
    counter = meter.create_counter("sync_activity_items_processed", "Number of items processed by activity")
    for _ in range(data_size):
        counter.add(1)
    return f"Processed {data_size} items"


async def test_metric_meter(sundial_address: str, task_queue: str, executor) -> None:
    buffer = MetricBuffer(10_000)
    runtime = Runtime(telemetry=TelemetryConfig(metrics=buffer))
    metered = await Client.connect(sundial_address, runtime=runtime)
    async with running_worker(metered, task_queue, workflows=[RunActivity], activities=[metrics_activity, sync_metrics_activity], activity_executor=executor):
        result = await run_workflow(metered, RunActivity.run, ActivityCall("metrics_activity", [5]), task_queue=task_queue)
        assert result.startswith("Processed 5 items in ")
        assert await run_workflow(metered, RunActivity.run, ActivityCall("sync_metrics_activity", [3]), task_queue=task_queue) == "Processed 3 items"
    totals: dict[str, float] = {}
    for update in buffer.retrieve_updates():
        if update.metric.name in ("activity_items_processed", "sync_activity_items_processed", "activity_processing_duration"):
            assert update.attributes.get("activity_type") in ("metrics_activity", "sync_metrics_activity")
            assert update.attributes.get("task_queue") == task_queue
            totals[update.metric.name] = totals.get(update.metric.name, 0) + update.value
    assert totals.get("activity_items_processed") == 5
    assert totals.get("sync_activity_items_processed") == 3
    assert "activity_processing_duration" in totals


@activity.defn
async def logging_activity(message: str) -> str:
    """Activity that demonstrates contextual logging."""
    # Use the pre-configured logger with activity context
    activity.logger.info(f"Processing message: {message}")
    activity.logger.warning("This is a warning with activity context")

    # Create custom logger adapter
    custom_logger = activity.LoggerAdapter(
        logging.getLogger("custom"),
        {"custom_field": "custom_value"}
    )
    custom_logger.activity_info_on_message = False
    custom_logger.full_activity_info_on_extra = True

    custom_logger.info("Custom logging with full activity info in extra")

    return f"Logged: {message}"


async def test_logger_adapter(client: Client, task_queue: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    wf_id = unique("logging")
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[logging_activity]):
        assert await run_workflow(client, RunActivity.run, ActivityCall("logging_activity", ["hello"]), task_queue=task_queue, id=wf_id) == "Logged: hello"
    processing = next(r for r in caplog.records if r.getMessage().startswith("Processing message: hello"))
    assert f"'workflow_id': '{wf_id}'" in processing.getMessage()
    assert processing.temporal_activity["activity_type"] == "logging_activity"
    warning = next(r for r in caplog.records if r.getMessage().startswith("This is a warning with activity context"))
    assert warning.levelno == logging.WARNING
    custom = next(r for r in caplog.records if r.name == "custom")
    assert custom.getMessage() == "Custom logging with full activity info in extra"
    # The adapter's own extra mapping is not merged into records by the SDK.
    assert isinstance(custom.activity_info, Info) and custom.activity_info.workflow_id == wf_id
    assert isinstance(activity.logger, LoggerAdapter)


async def test_cancellation_details_paused(client: Client, task_queue: str, executor) -> None:
    """A running attempt learns of a pause through its heartbeat; its
    cancellation details say paused. Needs the PauseActivity RPC (known gap
    until it lands: see known_gaps.py)."""
    from temporalio.api.common.v1 import WorkflowExecution
    from temporalio.api.workflowservice.v1 import PauseActivityRequest

    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[detailed_cancellation_handling_threaded], activity_executor=executor):
        wf_id = unique("paused")
        handle = await client.start_workflow(
            RunActivity.run, ActivityCall("detailed_cancellation_handling_threaded", heartbeat_seconds=5, max_attempts=3, activity_id="pausable"), id=wf_id, task_queue=task_queue
        )
        try:
            await wait_for_activity_started(handle)
            await client.workflow_service.pause_activity(
                PauseActivityRequest(
                    namespace=client.namespace,
                    execution=WorkflowExecution(workflow_id=wf_id),
                    id="pausable",
                    identity="seed-test",
                    reason="paused by the seed test",
                )
            )
            await record.wait_for("details")
            assert record.values("details") == [ActivityCancellationDetails(paused=True)]
            desc = await handle.describe()
            pending = desc.raw_description.pending_activities
            assert len(pending) == 1 and pending[0].paused
        finally:
            await handle.terminate("test over")
