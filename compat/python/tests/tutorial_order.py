"""Tutorial chapter 5's activities and order workflow (seed 004), in a module
of their own with light imports, so the workflow sandbox loads it quickly.
charge_card calls the payment API at PAYMENT_API_URL, which the test sets."""

import asyncio
import json
import urllib.request
from datetime import timedelta
from typing import List

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from seed_helpers import record

PAYMENT_API_URL = ""


def post(url: str, payload: dict) -> dict:
    """requests.post(...).json() with the standard library."""
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


# Step 1 and the practical example: the activity calls the payment API.
@activity.defn
async def charge_card(amount: float) -> str:
    info = activity.info()
    print(f"Charging ${amount} (attempt {info.attempt})")

    # Heartbeat to show progress
    activity.heartbeat("Starting charge...")

    try:
        response = await asyncio.to_thread(post, PAYMENT_API_URL, {"amount": amount, "timeout": 10})
        activity.heartbeat("API call completed")
        return response["transaction_id"]
    except Exception as e:
        # If it's the first attempt, retry will happen automatically
        if info.attempt < 3:
            print(f"Failed, will retry. Error: {e}")
        raise  # Let Temporal handle the retry


@activity.defn
async def update_inventory(order_id: str) -> str:
    record.add("update_inventory", order_id)
    return f"inventory updated for {order_id}"


@activity.defn
async def send_confirmation_email(order_id: str) -> str:
    record.add("send_confirmation_email", order_id)
    return f"email sent for {order_id}"


@activity.defn
async def arrange_shipment(order_id: str) -> str:
    record.add("arrange_shipment", order_id)
    return f"shipment arranged for {order_id}"


@activity.defn
async def process_large_file(file_path: str) -> str:
    # Every chunk, tell Temporal "I'm still working!"
    chunks = [f"{file_path}#{n}" for n in range(4)]
    for chunk in chunks:
        activity.heartbeat(f"Processed {chunk}")
        await asyncio.sleep(0.3)  # process(chunk)
    return "Done"


@activity.defn
async def slow_charge(amount: float) -> str:
    await asyncio.sleep(5)
    return "too late"


@workflow.defn
class OrderWorkflow:
    @workflow.run
    async def run(self, order_id: str) -> str:
        tx_id = await workflow.execute_activity(
            charge_card,
            99.99,
            # Step 4's options (Step 2 gives none, which the SDK refuses).
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(milliseconds=200)),
        )
        return f"Order {order_id}: {tx_id}"


@workflow.defn
class FullOrderWorkflow:
    """The chapter's four steps: charge, update inventory, confirm, ship."""

    def __init__(self) -> None:
        self.shipping_approved = False

    @workflow.run
    async def run(self, order_id: str) -> List[str]:
        opts = dict(start_to_close_timeout=timedelta(seconds=30), retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(milliseconds=200)))
        steps = [await workflow.execute_activity(charge_card, 99.99, **opts)]
        steps.append(await workflow.execute_activity(update_inventory, order_id, **opts))
        steps.append(await workflow.execute_activity(send_confirmation_email, order_id, **opts))
        await workflow.wait_condition(lambda: self.shipping_approved)
        steps.append(await workflow.execute_activity(arrange_shipment, order_id, **opts))
        return steps

    @workflow.signal
    def approve_shipping(self) -> None:
        self.shipping_approved = True


@workflow.defn
class FileWorkflow:
    @workflow.run
    async def run(self, path: str) -> str:
        return await workflow.execute_activity(
            process_large_file, path, start_to_close_timeout=timedelta(seconds=30), heartbeat_timeout=timedelta(seconds=1)
        )


@workflow.defn
class TimeoutWorkflow:
    @workflow.run
    async def run(self) -> str:
        # "Activity, you have 1 second to charge the card."
        return await workflow.execute_activity(
            slow_charge, 99.99, start_to_close_timeout=timedelta(seconds=1), retry_policy=RetryPolicy(maximum_attempts=1)
        )


def activities():
    return [charge_card, update_inventory, send_confirmation_email, arrange_shipment, process_large_file, slow_charge]


def workflows():
    return [OrderWorkflow, FullOrderWorkflow, FileWorkflow, TimeoutWorkflow]


