"""Nonces seen within the replay window. A request older than the window is refused as stale before
its nonce is looked at, so a nonce need only be remembered until its own timestamp leaves the window.
"""

from __future__ import annotations

import heapq
import threading


class NonceCache:
    def __init__(self, window_ms: int) -> None:
        self._window_ms = window_ms
        self._lock = threading.Lock()
        self._expiry: dict[str, int] = {}
        self._heap: list[tuple[int, str]] = []  # (expiry, nonce), earliest first: pruning is O(log n)

    def add(self, nonce: str, timestamp_ms: int, now_ms: int) -> bool:
        """Remember the nonce; False if it was already seen (a replay)."""
        # Remember it until both the sender's and our idea of "window" have passed: a timestamp in our
        # future stays acceptable until now passes timestamp + window.
        expires = max(timestamp_ms, now_ms) + self._window_ms + 1000
        with self._lock:
            self._prune(now_ms)
            if nonce in self._expiry:
                return False
            self._expiry[nonce] = expires
            heapq.heappush(self._heap, (expires, nonce))
            return True

    def clear(self) -> None:
        with self._lock:
            self._expiry.clear()
            self._heap.clear()

    def __len__(self) -> int:
        return len(self._expiry)

    def _prune(self, now_ms: int) -> None:
        heap = self._heap
        while heap and heap[0][0] < now_ms:
            _, nonce = heapq.heappop(heap)
            self._expiry.pop(nonce, None)
