"""Failed logins limited per account and per client address, so passwords cannot be guessed at speed.

After `per_account` failures for one user name, or `per_address` from one
client address, within `window_s`, further logins of that name (or from that
address) are refused with 429 until the oldest failure leaves the window;
the refusal says when to try again. A successful login clears its name's and
its address's failures. Tokens and sessions are not throttled: they are 256
random bits, not guessable. The counts live in this server's memory (a
restart forgets them), bounded in size so a flood of made-up names cannot
grow it without end.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from mixedcrew.web.errors import TooManyAttempts


@dataclass(frozen=True)
class Lockout:
    """What a failure just locked: `kind` is "account" or "address"."""

    kind: str
    key: str
    failures: int
    retry_after_s: int


class LoginThrottle:
    def __init__(self, *, per_account: int = 5, per_address: int = 20, window_s: float = 900.0,
                 max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.limits = {"account": per_account, "address": per_address}
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(name: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("account", name.strip().casefold()[:80])]
        if address:
            keys.append(("address", address[:64]))
        return keys

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def check(self, name: str, address: str | None) -> None:
        """TooManyAttempts when the name or the address is locked out now."""
        now = self.clock()
        with self._lock:
            for key in self._keys(name, address):
                times = self._recent(key, now)
                if len(times) >= self.limits[key[0]]:
                    wait = max(1, math.ceil(times[0] + self.window_s - now))
                    raise TooManyAttempts(
                        f"too many failed logins for this {'user name' if key[0] == 'account' else 'address'}"
                        f" ({len(times)} in {self.window_s / 60:g} minutes): try again in {wait} s",
                        retry_after_s=wait)

    def failed(self, name: str, address: str | None) -> list[Lockout]:
        """Count a failure; the lock-outs it starts (to audit them)."""
        now = self.clock()
        locked = []
        with self._lock:
            for key in self._keys(name, address):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
                self._failures.move_to_end(key)
                if len(times) == self.limits[key[0]]:
                    locked.append(Lockout(key[0], key[1], len(times), math.ceil(self.window_s)))
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)
        return locked

    def succeeded(self, name: str, address: str | None) -> None:
        with self._lock:
            for key in self._keys(name, address):
                self._failures.pop(key, None)
