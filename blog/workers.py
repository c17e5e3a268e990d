"""Pure, CPU-bound work spread over the machine's other cores, its results given back in order.

An import renders thousands of texts; rendered in the main process, they would wait for its
writes and its writes for them. Here chunks of the work run in worker processes forked from
the main one (so they hold the very code and settings it holds, with nothing to pickle but
the items and results), a few chunks ahead of what the main process consumes, while it goes
on writing. A small job, or a machine with one core, runs in the process itself: starting
processes would cost more than it saves.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 25
# Fewer items than this are done in the process itself.
MIN_ITEMS = 2 * CHUNK
# Chunks in flight per worker: enough to keep it busy, few enough to bound the memory held.
AHEAD = 2


def cores() -> int:
    """Return how many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def map_in_order(
    function: Callable[[list[Item]], list[Result]],
    items: Iterable[Item],
    chunk: int = CHUNK,
    processes: int | None = None,
    initializer: Callable[[], None] | None = None,
) -> Iterator[Result]:
    """Yield the results of `function` (a list of items in, a list of results out) in order.

    `function` must be a module-level function without side effects: it may run in another
    process. `items` is read lazily, a few chunks ahead of what the caller consumes.
    `processes` bounds the workers (default: one per core; 1 runs everything in-process);
    `initializer` runs once in each worker after the fork (e.g. to drop inherited connections).
    """
    items = iter(items)
    first = list(islice(items, MIN_ITEMS))
    workers = cores() if processes is None else processes
    if len(first) < MIN_ITEMS or workers < 2 or not can_fork():
        for part in _chunks(first, items, chunk):
            yield from function(part)
        return
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(initializer,),
    )
    try:
        parts = _chunks(first, items, chunk)
        window = deque(pool.submit(function, part) for part in islice(parts, AHEAD * workers))
        while window:
            results = window.popleft().result()
            following = next(parts, None)
            if following is not None:
                window.append(pool.submit(function, following))
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(initializer: Callable[[], None] | None) -> None:
    # gc.freeze: the objects a worker inherits are never collected there (a database
    # connection collected in a worker would close the main process's), nor copied by the gc.
    gc.freeze()
    if initializer is not None:
        initializer()


def _chunks(first: list[Item], rest: Iterator[Item], size: int) -> Iterator[list[Item]]:
    for start in range(0, len(first), size):
        yield first[start : start + size]
    while part := list(islice(rest, size)):
        yield part
