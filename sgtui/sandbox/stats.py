"""Counters behind ``GET /_sandbox/stats``."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Requests by ``METHOD /path/template`` and contacts upserted and removed.

    Every SendGrid request is counted when it arrives, including those that then meet a fault,
    a 401/403 or a 429; ``/_sandbox`` requests are not counted. ``contacts_removed`` counts
    contacts taken off a list plus contacts deleted from the account.
    """

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.contacts_upserted = 0
        self.contacts_removed = 0
        self._lock = threading.Lock()

    def count_request(self, name: str) -> None:
        """Count one request to ``name`` (``"PUT /v3/marketing/contacts"``)."""
        with self._lock:
            self.requests[name] += 1

    def to_json(self) -> dict[str, Any]:
        """The stats as ``GET /_sandbox/stats`` answers them."""
        with self._lock:
            requests = dict(sorted(self.requests.items()))
        return {"requests": requests, "contacts_upserted": self.contacts_upserted,
                "contacts_removed": self.contacts_removed}
