"""Booking what HJS answered, off the HJS call path: one writer thread with its own zw connection.

The threads that call HJS hand each outcome to the Booker and go on with their next call; they never
wait on the database. The Booker's thread writes:
- successes in groups: what arrived within `linger` seconds of the group's first, at most `group_size`
  assets, booked in one statement and one transaction (repository.record_successes: each asset's
  status move, invest record and audit row together, never half-booked);
- a group refused by a unique violation (an invest record already there: bad zw data) or a deadlock
  is rolled back whole and booked again asset by asset, so only the bad asset is set aside
  (ZW_RECORD_CONFLICT) and the others are booked;
- failures (refusals, transient, untrustworthy answers, bad zw data) as attempt rows.
An outcome is counted (the `counted` callback) only once it is written.

A crash between HJS's answer and its booking loses nothing: a sync records the product's
confirmation before it sends any asset of it, so the next run asks HJS before sending (check_first)
and books what it finds as ALREADY_AT_HJS. The same holds when the Booker stops on any other error
(zw down): outcomes handed over afterwards are left unbooked, `broken` tells the callers to stop
sending, and close() raises the error.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg.errors import DeadlockDetected, UniqueViolation

from . import repository as repo
from .repository import Booking

log = logging.getLogger("hjs_operators.invest_sync")

ZW_CONFLICT = "ZW_RECORD_CONFLICT"
GROUP_SIZE = 200
LINGER_SECONDS = 0.1
_END = object()


@dataclass(frozen=True)
class Attempt:
    """A subscription that did not happen, to be recorded with its reason; key is how it is counted."""

    asset_id: int
    order_no: str
    outcome: str
    code: str | None
    reason: str
    key: str


class Booker:
    """Writes subscriptions and failures on its own thread and connection; use it as a context manager.

    connect: () -> a new zw DB-API connection; counted(outcome, key): called on the Booker's thread once
    an outcome is written, with outcome "subscribed", "already_at_hjs", "already_booked" or "failed"
    (key: the failure's reason key).
    """

    def __init__(self, *, connect: Callable[[], Any], run_id: str, counted: Callable[[str, str | None], None],
                 group_size: int = GROUP_SIZE, linger: float = LINGER_SECONDS) -> None:
        if group_size < 1 or linger < 0:
            raise ValueError("group_size must be positive and linger not negative")
        self.run_id = run_id
        self.counted = counted
        self.group_size = group_size
        self.linger = linger
        self.error: BaseException | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._conn = connect()  # opened here: a wrong zw connection fails the task before any HJS call
        self._thread = threading.Thread(target=self._run, name="invest-booker", daemon=True)
        self._thread.start()

    @property
    def broken(self) -> bool:
        return self.error is not None

    def book(self, booking: Booking) -> None:
        self._queue.put(booking)

    def fail(self, attempt: Attempt) -> None:
        self._queue.put(attempt)

    def __enter__(self) -> Booker:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(raise_error=exc_type is None)

    def close(self, *, raise_error: bool = True) -> None:
        """Book everything handed over so far, stop the thread, close the connection; then raise the
        error that stopped the Booker, if any (unless raise_error is False)."""
        self._queue.put(_END)
        self._thread.join()
        try:
            self._conn.close()
        except Exception:  # closing is best effort; the work is already booked
            log.warning("could not close the booking connection")
        if raise_error and self.error is not None:
            raise self.error

    # -- the Booker's thread ------------------------------------------------------------------------

    def _run(self) -> None:
        ended = False
        while not ended:
            item = self._queue.get()
            if item is _END:
                return
            group = [item]
            deadline = time.monotonic() + self.linger
            while len(group) < self.group_size:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is _END:
                    ended = True
                    break
                group.append(item)
            try:
                self._write(group)
            except BaseException as exc:
                self.error = exc
                log.error("booking stopped: %s; what HJS answered since is left for the next run to find "
                          "at HJS", type(exc).__name__)
                return

    def _write(self, group: list[Booking | Attempt]) -> None:
        bookings = [item for item in group if isinstance(item, Booking)]
        booked, conflicts = self._book(bookings)
        for attempt in [*conflicts, *(item for item in group if isinstance(item, Attempt))]:
            repo.record_attempts(self._conn, "INVEST", [attempt.asset_id], outcome=attempt.outcome,
                                 run_id=self.run_id, reference=attempt.order_no, reason_code=attempt.code,
                                 reason=attempt.reason)
        conflicted = {attempt.asset_id for attempt in conflicts}
        for item in group:  # counted in the order HJS answered, after everything is written
            if isinstance(item, Attempt) or item.asset_id in conflicted:
                self.counted("failed", item.key if isinstance(item, Attempt) else ZW_CONFLICT)
            elif item.asset_id not in booked:
                log.info("asset %d was booked by another run meanwhile; nothing written", item.asset_id)
                self.counted("already_booked", None)
            else:
                self.counted("already_at_hjs" if item.already_at_hjs else "subscribed", None)

    def _book(self, bookings: list[Booking]) -> tuple[set[int], list[Attempt]]:
        """(ids booked now, conflicts to record) for the group: in one statement, else one by one."""
        if not bookings:
            return set(), []
        try:
            return repo.record_successes(self._conn, bookings, self.run_id), []
        except (UniqueViolation, DeadlockDetected) as exc:
            log.warning("a group of %d booking(s) was refused (SQLSTATE %s); booking them one by one",
                        len(bookings), exc.sqlstate)
        booked: set[int] = set()
        conflicts: list[Attempt] = []
        for booking in bookings:
            try:
                booked |= repo.record_successes(self._conn, [booking], self.run_id)
            except UniqueViolation:
                reason = (f"asset {booking.asset_id} is INVEST_START but an invest record for it or "
                          f"{booking.order_no} already exists")
                log.warning("asset %d (order %s) not booked: %s: %s", booking.asset_id, booking.order_no,
                            ZW_CONFLICT, reason)
                conflicts.append(Attempt(booking.asset_id, booking.order_no, "BUSINESS_FAILURE", ZW_CONFLICT,
                                         reason, ZW_CONFLICT))
        return booked, conflicts
