"""Work spread over worker processes: results in order, the same as in the process itself."""

import os

import pytest

from blog import workers


def pids_and_squares(numbers: list[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), n * n) for n in numbers]


def test_results_come_back_in_order_from_other_processes():
    numbers = range(10 * workers.MIN_ITEMS + 7)
    done = list(workers.map_in_order(pids_and_squares, numbers))
    assert [square for _pid, square in done] == [n * n for n in numbers]
    if workers.cores() >= 2 and workers.can_fork():
        assert os.getpid() not in {pid for pid, _square in done}


def test_a_small_job_is_done_in_this_process():
    done = list(workers.map_in_order(pids_and_squares, range(workers.MIN_ITEMS - 1)))
    assert {pid for pid, _square in done} == {os.getpid()}
    assert [square for _pid, square in done] == [n * n for n in range(workers.MIN_ITEMS - 1)]


def fail_on_13(numbers: list[int]) -> list[int]:
    if 13 in numbers:
        raise ArithmeticError("13")
    return numbers


def test_a_failure_in_a_worker_reaches_the_caller():
    with pytest.raises(ArithmeticError):
        list(workers.map_in_order(fail_on_13, range(10 * workers.MIN_ITEMS)))
