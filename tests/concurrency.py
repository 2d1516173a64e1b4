"""Running the same work from several threads at once, each with its own connection, as two runs would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def at_once(work: Callable[[Any], Any], arguments: list) -> tuple[list, list[BaseException]]:
    """Call work(argument) for each argument in its own thread, all started together; returns (the
    results, the exceptions raised), each in completion order."""
    results: list = []
    errors: list[BaseException] = []

    def one(argument):
        try:
            results.append(work(argument))
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def blocked_then_released(work: Callable[[], Any], release: Callable[[], None], watcher) -> Any:
    """Start work() in a thread, wait until some session waits for a lock (pg_stat_activity, read on
    `watcher`, a connection of its own), then call release() and return what work() returned (or raise
    what it raised). For a run that must wait for another run's lock, deterministically."""
    results: list = []
    errors: list[BaseException] = []

    def one():
        try:
            results.append(work())
        except BaseException as exc:  # noqa: BLE001 - raised again below
            errors.append(exc)

    thread = threading.Thread(target=one)
    thread.start()
    waiting = 0
    try:
        while thread.is_alive():
            with watcher.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                (waiting,) = cur.fetchone()
            watcher.rollback()
            if waiting:
                break
            time.sleep(0.02)
    finally:
        release()
        thread.join()
    if errors:
        raise errors[0]
    assert waiting, "the work never waited for a lock"
    return results[0]
