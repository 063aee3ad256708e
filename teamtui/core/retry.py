"""Retry timing and a circuit breaker per model.

Backoff is exponential with full jitter (so parallel agents that failed together do not retry
together) and honours a provider's Retry-After, plus a little jitter for the same reason. The
breaker stops hammering a provider that keeps failing: after ``threshold`` failures in a row it
opens for ``cooldown_s`` (calls fail fast), then lets one call through to probe.

Failures are counted in a row of *evidence*: calls that were in flight together (the branches of
a parallel team hit by one outage) count once, so a shared burst does not open the circuit, while
a provider that fails every retry still opens it after ``threshold`` rounds.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable

MAX_RETRY_AFTER_S = 120.0


def backoff_delay(attempt: int, *, base_s: float = 0.5, cap_s: float = 20.0,
                  retry_after_s: float | None = None, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1 = first retry)."""
    rng = rng or random
    if retry_after_s is not None and retry_after_s >= 0:
        wait = min(retry_after_s, MAX_RETRY_AFTER_S)
        return wait + rng.uniform(0, min(wait * 0.2, 2.0))  # never earlier than asked
    ceiling = min(cap_s, base_s * (2 ** (attempt - 1)))
    return rng.uniform(ceiling / 2, ceiling)


class CircuitOpen(Exception):
    pass


@dataclass(eq=False)  # live state: one breaker per model, equal only to itself
class CircuitBreaker:
    """Stops calling a model that keeps failing, then lets one call probe whether it recovered."""

    # 8 rounds: a provider failing a third of its calls at random trips it about once in 3000 runs of
    # 20 calls; one that is down is left alone after 8 rounds of failures (seconds of backoff).
    threshold: int = 8
    cooldown_s: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    probe_since: float | None = None  # half-open: when the one probing call was let through
    last_failure: float = float("-inf")  # when the last counted failure was seen
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def started(self) -> float:
        """A call's start time, for ``record_failure``."""
        return self.clock()

    def check(self, label: str) -> float:
        """Raise CircuitOpen while calls must not reach the provider; else return the call's start."""
        now = self.clock()
        if self.opened_at is None:
            return now
        remaining = self.opened_at + self.cooldown_s - now
        if remaining > 0:
            raise CircuitOpen(
                f"circuit open for model {label}: {self.failures} failures in a row; "
                f"not calling it for another {remaining:.0f}s"
            )
        # Half-open: one call probes. A probe that never reports (its step was cancelled) is
        # replaced after another cooldown, so the breaker cannot stay stuck.
        if self.probe_since is not None and now - self.probe_since < self.cooldown_s:
            raise CircuitOpen(f"circuit open for model {label}: another call is probing whether it recovered")
        self.probe_since = now
        return now

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self.probe_since = None

    def record_failure(self, started: float) -> bool:
        """Count the failure of a call begun at ``started``; True when this one opened the circuit."""
        now = self.clock()
        if self.opened_at is not None:
            if self.probe_since is not None and started >= self.probe_since:  # the probe failed
                self.opened_at, self.probe_since = now, None
                return True
            return False  # a call sent before the circuit opened
        if started < self.last_failure:
            return False  # it was in flight alongside a failure already counted: same evidence
        self.failures += 1
        self.last_failure = now
        if self.failures >= self.threshold:
            self.opened_at = now
            return True
        return False
