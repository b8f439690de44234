"""Seed 003 (the Atlan Application SDK's activities page): its patterns with
temporalio, run against sundial server. Activities are methods of a class
sharing state (the handler and workflow arguments); they read activity info,
log through activity.logger, heartbeat progress (by hand and with an
auto-heartbeater decorator), stop on cancellation, are idempotent under
retries, and clean up their state on errors. application_sdk itself is not
installed: its utilities (get_workflow_id, get_workflow_run_id,
build_output_path, auto_heartbeater) are written here from their description.
The seed raises activity.CancelledError, which temporalio does not have; the
test raises temporalio.exceptions.CancelledError."""

import asyncio
import functools
from datetime import datetime, timezone
from typing import Any, Dict

import pytest
import temporalio.exceptions
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError

from conftest import run_workflow, running_worker, unique, wait_for_activity_started
from seed_helpers import record
from workflows import ActivityCall, RunActivity


def get_workflow_id() -> str:
    return activity.info().workflow_id


def get_workflow_run_id() -> str:
    return activity.info().workflow_run_id


def build_output_path() -> str:
    """YYYY/MM/DD/HH/MM/<workflow_id>/<run_id>"""
    now = datetime.now(timezone.utc)
    return f"{now:%Y/%m/%d/%H/%M}/{get_workflow_id()}/{get_workflow_run_id()}"


def auto_heartbeater(fn):
    """Heartbeats in the background while the activity runs, at a third of its
    heartbeat timeout."""

    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        timeout = activity.info().heartbeat_timeout
        interval = timeout.total_seconds() / 3 if timeout else 10

        async def beat() -> None:
            while True:
                await asyncio.sleep(interval)
                activity.heartbeat()
                record.add("auto_heartbeat")

        task = asyncio.create_task(beat())
        try:
            return await fn(*args, **kwargs)
        finally:
            task.cancel()

    return wrapper


class Handler:
    """The handler shared by the activities of one workflow run."""

    def __init__(self) -> None:
        self.records: Dict[str, Dict[str, Any]] = {}
        self.failures_left = 0

    async def get_record(self, record_id: str):
        return self.records.get(record_id)

    async def process_record(self, record_id: str) -> Dict[str, Any]:
        self.records[record_id] = {"processed": True}
        if self.failures_left > 0:
            # Processed, but the answer is lost: the retry must not redo it.
            self.failures_left -= 1
            raise ConnectionError("lost the answer")
        record.add("process_record", record_id)
        return {"status": "processed", "record_id": record_id}


handler = Handler()


class Activities:
    def __init__(self) -> None:
        self.state: Dict[str, Any] = {}

    @activity.defn
    async def my_activity(self, args: Dict[str, Any]):
        # Get activity info
        info = activity.info()
        # Log using activity logger
        activity.logger.info(f"Running activity: {info.activity_type}")
        # Send heartbeat with progress
        activity.heartbeat({"progress": 50, "message": "Halfway done"})
        # Check if activity is being cancelled
        if activity.is_cancelled():
            activity.logger.info("Activity cancelled, cleaning up...")
            raise temporalio.exceptions.CancelledError("Activity was cancelled")
        return {"workflow_id": get_workflow_id(), "run_id": get_workflow_run_id(), "output_path": build_output_path()}

    @activity.defn
    @auto_heartbeater  # Automatic heartbeats
    async def process_large_file(self, args: Dict[str, Any]):
        file_chunks = args["chunks"]
        # Manual heartbeat with progress
        for i, chunk in enumerate(file_chunks):
            await asyncio.sleep(0.4)  # process_chunk(chunk)
            activity.heartbeat({"progress": i / len(file_chunks) * 100})
        return len(file_chunks)

    @activity.defn
    async def update_record(self, args: Dict[str, Any]):
        record_id = args["record_id"]
        # Check if already processed
        existing = await handler.get_record(record_id)
        if existing and existing["processed"]:
            return {"status": "already_processed", "record_id": record_id}
        # Process the record
        result = await handler.process_record(record_id)
        return result

    async def _clean_state(self) -> None:
        self.state.clear()
        record.add("clean_state")

    @activity.defn
    async def stateful_operation(self, args: Dict[str, Any]):
        self.state["workflow_args"] = args

        async def perform_operation():
            if args.get("fail"):
                raise RuntimeError("operation failed")
            return {"ok": True}

        try:
            result = await perform_operation()
            return result
        except Exception:
            await self._clean_state()
            raise

    @activity.defn
    async def wait_for_cancel(self, args: Dict[str, Any]):
        while True:
            activity.heartbeat({"progress": 0})
            if activity.is_cancelled():
                activity.logger.info("Activity cancelled, cleaning up...")
                record.add("cancelled_cleanly")
                raise temporalio.exceptions.CancelledError("Activity was cancelled")
            try:
                await asyncio.sleep(0.1)
            except asyncio.CancelledError:
                # temporalio cancels the task; the seed's is_cancelled check
                # then sees it on the next pass.
                continue


@pytest.fixture
def acts() -> Activities:
    record.clear()
    return Activities()


def all_activities(a: Activities):
    return [a.my_activity, a.process_large_file, a.update_record, a.stateful_operation, a.wait_for_cancel]


async def test_activity_info_logger_heartbeat(client: Client, task_queue: str, acts: Activities) -> None:
    wf_id = unique("atlan")
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=all_activities(acts)):
        result = await run_workflow(client, RunActivity.run, ActivityCall("my_activity", [{"k": "v"}], heartbeat_seconds=5), task_queue=task_queue, id=wf_id)
    assert result["workflow_id"] == wf_id
    assert result["output_path"].endswith(f"/{wf_id}/{result['run_id']}")
    assert len(result["output_path"].split("/")) == 7


async def test_cancelled_activity_cleans_up(client: Client, task_queue: str, acts: Activities) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=all_activities(acts)):
        handle = await client.start_workflow(RunActivity.run, ActivityCall("wait_for_cancel", [{}], heartbeat_seconds=5), id=unique("atlan-cancel"), task_queue=task_queue)
        await wait_for_activity_started(handle)
        await handle.signal(RunActivity.cancel_activity)
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 60)
    assert isinstance(failure.value.cause.cause, temporalio.exceptions.CancelledError)
    assert record.names() == ["cancelled_cleanly"]


async def test_auto_heartbeater_keeps_activity_alive(client: Client, task_queue: str, acts: Activities) -> None:
    # Five chunks take about 2s, twice the heartbeat timeout: the activity only
    # lives because of its heartbeats.
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=all_activities(acts)):
        call = ActivityCall("process_large_file", [{"chunks": ["a", "b", "c", "d", "e"]}], heartbeat_seconds=1)
        assert await run_workflow(client, RunActivity.run, call, task_queue=task_queue) == 5
    assert "auto_heartbeat" in record.names()


async def test_idempotent_under_retry(client: Client, task_queue: str, acts: Activities) -> None:
    handler.failures_left = 1
    record_id = unique("rec")
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=all_activities(acts)):
        call = ActivityCall("update_record", [{"record_id": record_id}], max_attempts=3)
        result = await run_workflow(client, RunActivity.run, call, task_queue=task_queue)
    # Attempt 1 processed the record and failed; the retry found it processed.
    assert result == {"status": "already_processed", "record_id": record_id}
    assert record.values("process_record") == []


async def test_clean_state_on_errors(client: Client, task_queue: str, acts: Activities) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=all_activities(acts)):
        assert await run_workflow(client, RunActivity.run, ActivityCall("stateful_operation", [{"fail": False}]), task_queue=task_queue) == {"ok": True}
        assert acts.state == {"workflow_args": {"fail": False}}
        with pytest.raises(WorkflowFailureError) as failure:
            await run_workflow(client, RunActivity.run, ActivityCall("stateful_operation", [{"fail": True}]), task_queue=task_queue)
    assert "operation failed" in str(failure.value.cause.cause)
    assert acts.state == {}
    assert record.names() == ["clean_state"]
