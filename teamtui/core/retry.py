"""Retry timing and a circuit breaker per model.

Backoff is exponential with full jitter (so parallel agents that failed together do not retry
together) and honours a provider's Retry-After. The breaker stops hammering a provider that keeps
failing: after ``threshold`` consecutive failures it opens for ``cooldown_s``, then lets one call
through to probe.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field


def backoff_delay(attempt: int, *, base_s: float = 0.5, cap_s: float = 20.0,
                  retry_after_s: float | None = None, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1 = first retry)."""
    if retry_after_s is not None and retry_after_s >= 0:
        return min(retry_after_s, 120.0)
    ceiling = min(cap_s, base_s * (2 ** (attempt - 1)))
    return (rng or random).uniform(ceiling / 2, ceiling)


class CircuitOpen(Exception):
    pass


@dataclass
class CircuitBreaker:
    threshold: int = 5
    cooldown_s: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    clock: object = field(default=time.monotonic, repr=False)

    def check(self, label: str) -> None:
        if self.opened_at is None:
            return
        remaining = self.opened_at + self.cooldown_s - self.clock()  # type: ignore[operator]
        if remaining > 0:
            raise CircuitOpen(
                f"circuit open for model {label}: {self.failures} failures in a row; "
                f"not calling it for another {remaining:.0f}s"
            )
        # Half-open: let this call probe; one more failure re-opens at once.
        self.opened_at = None
        self.failures = self.threshold - 1

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> bool:
        """Count a failure; True when this one opened the circuit."""
        self.failures += 1
        if self.failures >= self.threshold and self.opened_at is None:
            self.opened_at = self.clock()  # type: ignore[operator]
            return True
        return False
