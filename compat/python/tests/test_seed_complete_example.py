"""Seed 000's "Robust Activity with All Features", as written (it shares its
function name with the seed's no_thread_cancel_exception example, so it lives
in its own module), run against sundial server: info, metric meter,
heartbeats every batch, logging, cancellation checks, and an item that fails
being skipped."""

import logging
import time
from typing import List

import pytest
from temporalio import activity
from temporalio.client import Client

from conftest import run_workflow, running_worker
from seed_helpers import record, save_partial_results
from workflows import ActivityCall, RunActivity


async def process_complex_item(item: dict) -> dict:
    if item.get("bad"):
        raise ValueError(f"item {item['n']} is malformed")
    record.add("processed", item["n"])
    return {"n": item["n"], "square": item["n"] ** 2}


@activity.defn(name="robust_data_processor")
async def robust_activity(
    data: List[dict],
    batch_size: int = 10,
    timeout_seconds: int = 300
) -> dict:
    """Comprehensive activity demonstrating all features."""
    info = activity.info()
    meter = activity.metric_meter()

    # Create metrics
    items_processed = meter.create_counter("items_processed", "Items processed")
    # The seed's create_histogram takes ints in temporalio 1.35.0; the float
    # duration needs create_histogram_float.
    processing_duration = meter.create_histogram_float("processing_duration", "Processing time")

    activity.logger.info(f"Starting robust processing of {len(data)} items")

    results = []
    start_time = time.time()

    try:
        for i, item in enumerate(data):
            # Check for various cancellation conditions
            if activity.is_cancelled():
                details = activity.cancellation_details()
                if details and details.timed_out:
                    activity.logger.warning("Activity timed out, saving partial results")
                    await save_partial_results(results)
                break

            if activity.is_worker_shutdown():
                activity.logger.warning("Worker shutting down, saving progress")
                await save_partial_results(results)
                break

            # Process item with error handling
            try:
                result = await process_complex_item(item)
                results.append(result)
                items_processed.add(1)
            except Exception as e:
                activity.logger.error(f"Failed to process item {i}: {e}")
                continue

            # Send heartbeat every batch
            if (i + 1) % batch_size == 0:
                progress = {
                    "processed": len(results),
                    "total": len(data),
                    "success_rate": len(results) / (i + 1),
                    "elapsed_time": time.time() - start_time
                }
                activity.heartbeat(progress)

        duration = time.time() - start_time
        processing_duration.record(duration)

        final_result = {
            "total_items": len(data),
            "processed_items": len(results),
            "success_rate": len(results) / len(data) if data else 0,
            "processing_time": duration,
            "activity_info": {
                "activity_id": info.activity_id,
                "attempt": info.attempt,
                "workflow_id": info.workflow_id
            }
        }

        activity.logger.info(f"Successfully processed {len(results)}/{len(data)} items")
        return final_result

    except Exception as e:
        activity.logger.error(f"Activity failed: {e}")
        # Save whatever progress we made
        await save_partial_results(results)
        raise


async def test_robust_activity(client: Client, task_queue: str, caplog: pytest.LogCaptureFixture) -> None:
    record.clear()
    caplog.set_level(logging.INFO)
    data = [{"n": n, "bad": n == 7} for n in range(25)]
    async with running_worker(client, task_queue, workflows=[RunActivity], activities=[robust_activity]):
        call = ActivityCall("robust_data_processor", [data, 5], heartbeat_seconds=10, activity_id="robust")
        result = await run_workflow(client, RunActivity.run, call, task_queue=task_queue, id="robust-" + task_queue)
    assert result["total_items"] == 25
    assert result["processed_items"] == 24
    assert result["success_rate"] == 24 / 25
    assert result["activity_info"] == {"activity_id": "robust", "attempt": 1, "workflow_id": "robust-" + task_queue}
    assert 7 not in record.values("processed")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Failed to process item 7: item 7 is malformed") for m in messages), messages
    assert any(m.startswith("Successfully processed 24/25 items") for m in messages), messages
