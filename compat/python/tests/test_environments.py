"""The Python SDK's test environments launching Sundial: start_local with
sundial as its dev server (the SDK passes `server start-dev` and its flags) and
start_time_skipping with sundial as its test server (`sundial <port>`)."""

import uuid
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from conftest import sundial_binary

customer_id = SearchAttributeKey.for_keyword("CustomerId")


@activity.defn
async def greet(name: str) -> str:
    return f"Hello, {name}!"


@workflow.defn
class GreetAfterADay:
    @workflow.run
    async def run(self, name: str) -> str:
        await workflow.sleep(timedelta(days=1))
        return await workflow.execute_activity(greet, name, start_to_close_timeout=timedelta(seconds=10))


@workflow.defn
class Greet:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(greet, name, start_to_close_timeout=timedelta(seconds=10))


async def run_greet(client: Client, workflow_cls, **start_kwargs) -> str:
    queue = f"env-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[workflow_cls], activities=[greet]):
        return await client.execute_workflow(workflow_cls.run, "Sundial", id=f"env-{uuid.uuid4()}", task_queue=queue, **start_kwargs)


async def test_start_local_defaults() -> None:
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=sundial_binary()) as env:
        assert env.client.namespace == "default"
        assert not env.supports_time_skipping
        assert await run_greet(env.client, Greet) == "Hello, Sundial!"
        info = await env.client.workflow_service.get_system_info(GetSystemInfoRequest())
        assert info.server_version  # Sundial's, served by the binary under test


async def test_start_local_namespace_search_attributes_ui_and_file(tmp_path, capfd: pytest.CaptureFixture) -> None:
    db = tmp_path / "dev.db"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=sundial_binary(),
        namespace="seed-env",
        search_attributes=[customer_id],
        ui=True,
        dev_server_database_filename=str(db),
        dev_server_log_format="json",
        dev_server_log_level="info",
    )
    async with env:
        client = env.client
        assert client.namespace == "seed-env"
        result = await run_greet(
            client, Greet, search_attributes=TypedSearchAttributes([SearchAttributePair(customer_id, "c-42")])
        )
        assert result == "Hello, Sundial!"
        found = [wf async for wf in client.list_workflows('CustomerId = "c-42"')]
        assert len(found) == 1 and found[0].typed_search_attributes.get(customer_id) == "c-42"
    # --db-filename kept the state in the file.
    assert db.exists() and db.stat().st_size > 0
    # The server (its stderr is the test's) logged in JSON at info level, and
    # served the Web UI on the --ui-port the SDK passed.
    err = capfd.readouterr().err
    assert '"msg":"Web UI at http://' in err, err


async def test_start_local_reports_unknown_flags(capfd: pytest.CaptureFixture) -> None:
    with pytest.raises(RuntimeError, match="did not start"):
        await WorkflowEnvironment.start_local(
            dev_server_existing_path=sundial_binary(), dev_server_extra_args=["--no-such-flag"]
        )
    err = capfd.readouterr().err
    assert "sundial server start-dev: flag provided but not defined: -no-such-flag" in err, err


async def test_start_time_skipping() -> None:
    async with await WorkflowEnvironment.start_time_skipping(test_server_existing_path=sundial_binary()) as env:
        assert env.supports_time_skipping
        before = await env.get_current_time()
        # A day of workflow sleep passes at once.
        assert await run_greet(env.client, GreetAfterADay) == "Hello, Sundial!"
        after = await env.get_current_time()
        assert after - before >= timedelta(days=1)
        await env.sleep(timedelta(hours=3))
        assert await env.get_current_time() - after >= timedelta(hours=3)
