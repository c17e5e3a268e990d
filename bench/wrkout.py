"""Read wrk's report (run with --latency) and format figures as ratios."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
REQUESTS = re.compile(r"(\d+) requests in")


@dataclass(frozen=True)
class Result:
    """What one wrk run measured: requests per second, median and 99th percentile in ms."""

    rate: float
    p50: float
    p99: float
    requests: int = 0
    errors: int = 0


def parse(report: str) -> Result:
    """Return the figures of a wrk --latency report; ValueError if it has none."""
    rate = RATE.search(report)
    latencies = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(report)}
    if rate is None or set(latencies) != {"50", "99"}:
        raise ValueError(f"not a wrk --latency report:\n{report}")
    requests = REQUESTS.search(report)
    non_2xx, sockets = NON_2XX.search(report), SOCKET_ERRORS.search(report)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(map(int, sockets.groups())) if sockets else 0
    )
    return Result(
        rate=float(rate.group(1)),
        p50=latencies["50"],
        p99=latencies["99"],
        requests=int(requests.group(1)) if requests else 0,
        errors=errors,
    )


def ratio(value: float | None, reference: float | None) -> str:
    """Return value/reference to three significant digits, or '—' when either is zero."""
    if not value or not reference:
        return "—"
    r = value / reference
    return f"{r:.3g}" if r < 100 else f"{r:.0f}"
