"""A notifier that only records notices in memory (until a real email / SMS channel exists)."""

from __future__ import annotations

import threading

from hoga.ports.notifier import Notice

__all__ = ["MemoryNotifier"]


class MemoryNotifier:
    """Keeps every notice sent, in order (``sent``); channel name ``"memory"``."""

    channel = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> str:
        with self._lock:
            self.sent.append(notice)
        return self.channel

    def to(self, customer_id: str) -> list[Notice]:
        """The notices sent to one customer, in order."""
        with self._lock:
            return [n for n in self.sent if n.customer_id == customer_id]
