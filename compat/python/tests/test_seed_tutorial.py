"""Seed 004 (tutorial chapter 5, Activity): the order workflow and its
charge_card activity, run against sundial server. The payment API is a local
HTTP server that fails as the chapter's story needs. Two lines of the chapter
do not run on temporalio 1.35.0 whatever the server, and the test says so
where it departs: execute_activity needs a start_to_close_timeout or
schedule_to_close_timeout (Step 2 has none), and RetryPolicy's field is
maximum_attempts (the chapter writes max_attempts)."""

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError, RetryState, TimeoutError, TimeoutType

from conftest import history_event_types, running_worker, unique, wait_until
from seed_helpers import record
import tutorial_order
from tutorial_order import FileWorkflow, FullOrderWorkflow, OrderWorkflow, TimeoutWorkflow, activities, workflows


class PaymentAPI:
    """A payment service on loopback that answers 503 to the first
    `failures` charges, then a transaction id."""

    def __init__(self) -> None:
        self.failures = 0
        self.charges: List[float] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if api.failures > 0:
                    api.failures -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                api.charges.append(body["amount"])
                payload = json.dumps({"transaction_id": f"txn-{len(api.charges)}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/charge"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(autouse=True)
def payment() -> Iterator[PaymentAPI]:
    record.clear()
    api = PaymentAPI()
    tutorial_order.PAYMENT_API_URL = api.url
    yield api
    api.close()


async def test_order_workflow(client: Client, task_queue: str, capsys: pytest.CaptureFixture) -> None:
    async with running_worker(client, task_queue, workflows=workflows(), activities=activities()):
        result = await client.execute_workflow(OrderWorkflow.run, "order-1", id=unique("order"), task_queue=task_queue)
    assert result == "Order order-1: txn-1"
    assert "Charging $99.99 (attempt 1)" in capsys.readouterr().out


async def test_payment_api_down_then_up(client: Client, task_queue: str, payment: PaymentAPI, capsys: pytest.CaptureFixture) -> None:
    payment.failures = 2
    async with running_worker(client, task_queue, workflows=workflows(), activities=activities()):
        handle = await client.start_workflow(OrderWorkflow.run, "order-2", id=unique("order"), task_queue=task_queue)
        assert await handle.result() == "Order order-2: txn-1"
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith(("Charging", "Failed"))] == [
        "Charging $99.99 (attempt 1)",
        "Failed, will retry. Error: HTTP Error 503: Service Unavailable",
        "Charging $99.99 (attempt 2)",
        "Failed, will retry. Error: HTTP Error 503: Service Unavailable",
        "Charging $99.99 (attempt 3)",
    ]
    history = await handle.fetch_history()
    started = [e.activity_task_started_event_attributes for e in history.events if e.HasField("activity_task_started_event_attributes")]
    assert [s.attempt for s in started] == [3]
    assert "503" in started[0].last_failure.message


async def test_payment_api_stays_down(client: Client, task_queue: str, payment: PaymentAPI) -> None:
    payment.failures = 10
    async with running_worker(client, task_queue, workflows=workflows(), activities=activities()):
        with pytest.raises(WorkflowFailureError) as failure:
            await client.execute_workflow(OrderWorkflow.run, "order-3", id=unique("order"), task_queue=task_queue)
    err = failure.value.cause
    assert isinstance(err, ActivityError) and err.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED
    assert isinstance(err.cause, ApplicationError) and "503" in err.cause.message
    assert payment.failures == 7 and payment.charges == []


async def test_activity_never_runs_twice(client: Client, task_queue: str, payment: PaymentAPI) -> None:
    # No workflow cache: every workflow task replays the history from the
    # start, and the worker is replaced half-way; the card is charged once.
    async with running_worker(client, task_queue, workflows=workflows(), activities=activities(), max_cached_workflows=0):
        handle = await client.start_workflow(FullOrderWorkflow.run, "order-4", id=unique("order"), task_queue=task_queue)
        await record.wait_for("send_confirmation_email")

        async def waiting_for_approval() -> bool:
            events = history_event_types(await handle.fetch_history())
            return events.count("EVENT_TYPE_ACTIVITY_TASK_COMPLETED") == 3 and events[-1] == "EVENT_TYPE_WORKFLOW_TASK_COMPLETED"

        # The worker stops once the workflow waits for the signal (stopping it
        # with a workflow task in hand would leave that task to time out).
        await wait_until(waiting_for_approval)
    async with running_worker(client, task_queue, workflows=workflows(), activities=activities(), max_cached_workflows=0):
        await handle.signal(FullOrderWorkflow.approve_shipping)
        result = await asyncio.wait_for(handle.result(), 60)
    assert result == ["txn-1", "inventory updated for order-4", "email sent for order-4", "shipment arranged for order-4"]
    assert payment.charges == [99.99]
    assert record.names() == ["update_inventory", "send_confirmation_email", "arrange_shipment"]


async def test_heartbeats_keep_long_activity_alive(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=workflows(), activities=activities()):
        assert await client.execute_workflow(FileWorkflow.run, "upload.bin", id=unique("file"), task_queue=task_queue) == "Done"


async def test_start_to_close_timeout(client: Client, task_queue: str) -> None:
    async with running_worker(client, task_queue, workflows=workflows(), activities=activities()):
        with pytest.raises(WorkflowFailureError) as failure:
            await client.execute_workflow(TimeoutWorkflow.run, id=unique("timeout"), task_queue=task_queue)
    err = failure.value.cause
    assert isinstance(err, ActivityError) and isinstance(err.cause, TimeoutError)
    assert err.cause.type == TimeoutType.START_TO_CLOSE
