"""Fixtures shared by the seed tests: one ``sundial server`` for the session,
started from the binary run-tests.sh builds, and helpers to run a worker and a
workflow against it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Sequence

import pytest
from temporalio.client import Client
from temporalio.worker import Worker


def sundial_binary() -> str:
    """The sundial binary under test: $SUNDIAL_BINARY (run-tests.sh builds it)."""
    path = os.environ.get("SUNDIAL_BINARY", "")
    if not path or not Path(path).is_file():
        raise RuntimeError(
            f"SUNDIAL_BINARY must name the sundial binary (got {path!r}); "
            "run the suite through compat/python/run-tests.sh, which builds it"
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def sundial_path() -> str:
    return sundial_binary()


@pytest.fixture(scope="session")
async def sundial_address(sundial_path: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """Runs `sundial server` on a free loopback port with a database file, the
    way a user runs it, for the whole session."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    workdir = tmp_path_factory.mktemp("sundial")
    log = open(workdir / "server.log", "w+b")
    proc = subprocess.Popen(
        [sundial_path, "server", "--listen", address, "--db", str(workdir / "seeds.db"), "--log-level", "warn"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"sundial server exited {proc.returncode}: {log.read().decode()}")
            try:
                # connect calls GetSystemInfo, so it succeeds once the server serves.
                await Client.connect(address)
                break
            except Exception:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.05)
        yield address
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        tail = log.read().decode(errors="replace")
        log.close()
        if proc.returncode not in (0, -15):
            raise RuntimeError(f"sundial server exited {proc.returncode}:\n{tail}")


@pytest.fixture(scope="session")
async def client(sundial_address: str) -> Client:
    return await Client.connect(sundial_address)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def task_queue(request: pytest.FixtureRequest) -> str:
    return unique(request.node.name[:40])


@asynccontextmanager
async def running_worker(client: Client, task_queue: str, **kwargs: Any) -> AsyncIterator[Worker]:
    """A worker on task_queue for the duration of the block."""
    async with Worker(client, task_queue=task_queue, **kwargs) as worker:
        yield worker


async def run_workflow(client: Client, workflow: Any, *args: Any, task_queue: str, id: str | None = None, **kwargs: Any) -> Any:
    """Executes a workflow to its result with a unique id and a deadline."""
    return await asyncio.wait_for(
        client.execute_workflow(
            workflow,
            args=list(args),
            id=id or unique("wf"),
            task_queue=task_queue,
            **kwargs,
        ),
        timeout=60,
    )


async def wait_until(condition: Any, timeout: float = 20.0, interval: float = 0.05) -> None:
    """Waits for condition() (sync or async) to be true, failing after timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


def history_event_types(history: Any) -> Sequence[str]:
    from temporalio.api.enums.v1 import EventType

    return [EventType.Name(e.event_type) for e in history.events]


async def wait_for_activity_started(handle: Any, timeout: float = 20.0) -> None:
    """Waits until the workflow's pending activity has a running attempt (the
    server has no notification for it, so Describe is polled)."""
    from temporalio.api.enums.v1 import PendingActivityState

    async def started() -> bool:
        desc = await handle.describe()
        return any(
            a.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            for a in desc.raw_description.pending_activities
        )

    await wait_until(started, timeout=timeout, interval=0.05)


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Marks the tests known_gaps.py lists xfail(strict=True), and fails the
    run when an entry names no collected test (under a full run)."""
    from known_gaps import KNOWN_GAPS

    collected = set()
    for item in items:
        collected.add(item.nodeid)
        reason = KNOWN_GAPS.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=f"known gap: {reason}", strict=True))
    full_run = not config.option.keyword and not config.args_source == pytest.Config.ArgsSource.ARGS
    stale = [name for name in KNOWN_GAPS if name not in collected]
    if stale and full_run:
        raise pytest.UsageError(f"known_gaps.py lists tests that do not exist: {stale}")
