"""The benchmark's helpers that have logic: reading wrk's report, formatting ratios."""

import pytest

from bench import wrkout
from bench.store import plan

REPORT = """Running 10s test @ http://127.0.0.1:8000/en/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   310.12ms   40.20ms   1.20s    80.00%
    Req/Sec    51.60     10.10    80.00     70.00%
  Latency Distribution
     50%  304.00ms
     75%  330.00ms
     90%  360.00ms
     99%    1.05s
  1032 requests in 10.01s, 15.20MB read
  Socket errors: connect 0, read 1, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:    103.10
Transfer/sec:      1.52MB
"""


def test_parse_reads_rate_percentiles_and_errors():
    result = wrkout.parse(REPORT)
    assert result == wrkout.Result(rate=103.10, p50=304.0, p99=1050.0, requests=1032, errors=6)


def test_parse_converts_microseconds():
    fast = REPORT.replace("304.00ms", "412.00us").replace("1.05s", "2.50ms")
    result = wrkout.parse(fast)
    assert result.p50 == pytest.approx(0.412)
    assert result.p99 == pytest.approx(2.5)


def test_parse_refuses_a_report_without_latency_distribution():
    with pytest.raises(ValueError, match="--latency"):
        wrkout.parse("Requests/sec:    103.10\n")


@pytest.mark.parametrize(
    ("value", "reference", "shown"),
    [(103.1, 5030, "0.0205"), (5030, 5030, "1"), (58700, 5030, "11.7"), (0.4, 58700, "6.81e-06"),
     (0, 5030, "—"), (100, None, "—"), (587000, 50, "11740")],
)  # fmt: skip
def test_ratio(value, reference, shown):
    assert wrkout.ratio(value, reference) == shown


def test_plan_makes_pairs_triples_and_book_posts_deterministically():
    entries = plan(1000)
    assert len(entries) == 1000 and entries == plan(1000)
    sizes = {}
    for entry in entries:
        sizes.setdefault(entry.group, []).append(entry)
    counts = [len(group) for group in sizes.values()]
    assert {1, 2, 3} <= set(counts)
    book = [e for e in entries if e.home == "book"]
    assert book and all(e.language == "fr" and len(sizes[e.group]) == 1 for e in book)
    for group in sizes.values():
        assert len({e.language for e in group}) == len(group)
