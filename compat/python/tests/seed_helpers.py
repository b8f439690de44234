"""What the seed examples call without defining it (process_item,
cleanup_resources, external_system, ...): small stand-ins that record what was
called, so a test can assert the path the seed's code took."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, List


class Recorder:
    """Thread-safe list of events, with an event per name to wait on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: List[Any] = []
        self._seen: dict[str, threading.Event] = {}

    def add(self, name: str, value: Any = None) -> None:
        with self._lock:
            self._events.append((name, value))
            self._seen.setdefault(name, threading.Event()).set()

    def names(self) -> List[str]:
        with self._lock:
            return [n for n, _ in self._events]

    def values(self, name: str) -> List[Any]:
        with self._lock:
            return [v for n, v in self._events if n == name]

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._seen.clear()

    def _event(self, name: str) -> threading.Event:
        with self._lock:
            return self._seen.setdefault(name, threading.Event())

    async def wait_for(self, name: str, timeout: float = 30) -> None:
        """Waits (without blocking the event loop) until name was recorded."""
        ev = self._event(name)
        ok = await asyncio.get_running_loop().run_in_executor(None, ev.wait, timeout)
        if not ok:
            raise AssertionError(f"{name!r} not recorded within {timeout}s; recorded: {self.names()}")


record = Recorder()

# Gates a test opens to let a seed activity go on (e.g. after the worker's
# shutdown began); keyed by name, reset by the autouse fixture.
gates: dict[str, threading.Event] = {}


def gate(name: str) -> threading.Event:
    return gates.setdefault(name, threading.Event())


async def process_item(item: Any) -> Any:
    record.add("process_item", item)
    await asyncio.sleep(0)
    return f"done:{item}"


def process_item_sync(item: Any) -> Any:
    record.add("process_item", item)
    return f"done:{item}"


async def cleanup_resources() -> None:
    record.add("cleanup_resources")


async def save_partial_results(results: List[Any]) -> None:
    record.add("save_partial_results", list(results))


def save_results(results: List[Any]) -> None:
    record.add("save_results", list(results))


async def handle_timeout_cleanup() -> None:
    record.add("handle_timeout_cleanup")


async def handle_cancellation_cleanup() -> None:
    record.add("handle_cancellation_cleanup")


async def handle_shutdown_cleanup() -> None:
    record.add("handle_shutdown_cleanup")


def process_dynamic_args(args: List[Any]) -> Any:
    return {"decoded": args}


class ExternalSystem:
    """The seed's external system: it keeps the task token of the activity that
    started the task, and the callback URL, for the test to complete it."""

    def start_task(self, task_id: str, callback_url: str) -> None:
        from temporalio import activity

        record.add("external_task", (task_id, callback_url, activity.info().task_token))


external_system = ExternalSystem()
