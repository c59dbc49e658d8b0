"""REST fault injection: rate limits, server errors and slow answers, matched by method and
path, each used up after `count` requests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RestFault:
    status: int | None
    retry_after: float
    count: int
    method: str | None
    path_contains: str | None
    global_: bool
    delay: float
    delay_after: float = 0.0
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_contains is None or self.path_contains in path


class Faults:
    def __init__(self) -> None:
        self.rest_faults: list[RestFault] = []

    def rest(
        self,
        status: int | None = None,
        *,
        retry_after: float = 0.0,
        count: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        global_: bool = False,
        delay: float = 0.0,
        delay_after: float = 0.0,
    ) -> RestFault:
        """Answer the next `count` matching REST requests with `status` (429 carries
        `retry_after` and a `Via` header; 5xx a JSON body) after sleeping `delay` seconds;
        with no status the request is only delayed, then served normally. `delay_after`
        serves the request at once and holds back only the answer."""
        fault = RestFault(
            status, retry_after, count, method, path_contains, global_, delay, delay_after
        )
        self.rest_faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> RestFault | None:
        for fault in self.rest_faults:
            if fault.matches(method, path):
                fault.count -= 1
                fault.hits += 1
                return fault
        return None

    def clear(self) -> None:
        self.rest_faults.clear()

    @property
    def pending(self) -> int:
        return sum(f.count for f in self.rest_faults if f.count > 0)
