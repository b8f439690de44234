"""Seed 002 (the temporalio package overview): its Basic Usage, run as written
against Sundial: an async activity, a workflow calling it, a worker with a
thread pool, and a client executing the workflow."""

from __future__ import annotations

import concurrent.futures
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

from conftest import unique


# Define an activity
@activity.defn
async def say_hello(name: str) -> str:
    return f"Hello, {name}!"


# Define a workflow
@workflow.defn
class SayHello:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(
            say_hello,
            name,
            schedule_to_close_timeout=timedelta(seconds=5)
        )


async def test_basic_usage(client: Client, task_queue: str) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as executor:
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[SayHello],
            activities=[say_hello],
            activity_executor=executor,
        )
        async with worker:
            result = await client.execute_workflow(
                SayHello.run,
                "World",
                id=unique("my-workflow-id"),
                task_queue=task_queue,
            )
    assert result == "Hello, World!"
