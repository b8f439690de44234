"""Seed 001 (How to develop an Activity Definition in Python): the default and
custom names, positional arguments, asynchronous activities, synchronous
multithreaded activities and synchronous multiprocess activities (with a
SharedStateManager for heartbeats and cancellation), each run on Sundial."""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
from datetime import timedelta
from typing import Any

import pytest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, CancelledError
from temporalio.worker import SharedStateManager

from conftest import run_workflow, running_worker, unique, wait_for_activity_started
import mp_activities
from workflows import ActivityCall, RunActivity


@activity.defn
async def your_activity(name: str) -> str:
    return f"Hello, {name}!"


@activity.defn(name="your-activity")
async def your_named_activity(name: str) -> str:
    return f"Hello, {name}!"


@activity.defn
async def join_positional(a: str, b: int, c: bool) -> str:
    # Only positional arguments are supported by Activities.
    return f"{a}/{b}/{c}"


@activity.defn
def threaded_activity(name: str) -> str:
    return f"Hello from a thread, {name}!"


async def call(client: Client, task_queue: str, name: str, *args: Any) -> Any:
    return await run_workflow(client, RunActivity.run, ActivityCall(name, list(args)), task_queue=task_queue)


async def test_default_and_custom_names(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[your_activity, your_named_activity]):
        assert await call(client, task_queue, "your_activity", "Ann") == "Hello, Ann!"
        assert await call(client, task_queue, "your-activity", "Bob") == "Hello, Bob!"
        # The custom name replaces the function's name: the old one is unknown.
        with pytest.raises(WorkflowFailureError) as failure:
            await call(client, task_queue, "your_named_activity", "Cy")
        assert isinstance(failure.value.cause, ActivityError)
        assert "not registered" in str(failure.value.cause.cause)


async def test_positional_arguments(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[join_positional]):
        assert await call(client, task_queue, "join_positional", "x", 7, True) == "x/7/True"


async def test_synchronous_multithreaded(client: Client, task_queue: str) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        async with running_worker(client, task_queue, workflows=[RunActivity], activities=[threaded_activity], activity_executor=executor):
            assert await call(client, task_queue, "threaded_activity", "Dee") == "Hello from a thread, Dee!"


async def test_synchronous_multiprocess(client: Client, task_queue: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:
        async with running_worker(
            client,
            task_queue,
            workflows=[RunActivity],
            activities=[mp_activities.multiprocess_heartbeat, mp_activities.multiprocess_wait_cancel],
            activity_executor=executor,
            shared_state_manager=SharedStateManager.create_from_multiprocessing(manager),
        ):
            # Heartbeats from the child process reach the server: attempt 1
            # records progress and fails, and attempt 2 resumes from it.
            call = ActivityCall("multiprocess_heartbeat", [3], heartbeat_seconds=10, max_attempts=2)
            assert await run_workflow(client, RunActivity.run, call, task_queue=task_queue) == "resumed at 2 of 3 on attempt 2"

            # A cancellation reaches the child through the shared state manager.
            handle = await client.start_workflow(
                RunActivity.run, ActivityCall("multiprocess_wait_cancel", heartbeat_seconds=10), id=unique("mp-cancel"), task_queue=task_queue
            )
            await wait_for_activity_started(handle)
            await handle.signal(RunActivity.cancel_activity)
            with pytest.raises(WorkflowFailureError) as failure:
                await asyncio.wait_for(handle.result(), 60)
            assert isinstance(failure.value.cause, ActivityError)
            assert isinstance(failure.value.cause.cause, CancelledError)
