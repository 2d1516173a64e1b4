"""Running the same work from several threads at once, each with its own connection, as two runs would."""

from __future__ import annotations

import threading
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
