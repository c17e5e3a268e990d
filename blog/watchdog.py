"""The render time budget: a call interrupted in its own thread when it runs past its deadline.

Pure timing, no HTML: rendering.render_markdown runs each render `within` a budget that grows
with the text's length, and turns an Overrun into its RenderError (Python-Markdown and
html5lib have superlinear paths).
"""

from __future__ import annotations

import ctypes
import os
import threading
import time

# How often an interrupt is sent again to a render that has not stopped (see _Watchdog._watch).
RESEND_SECONDS = 0.05


class _OutOfTime(BaseException):
    """Raised inside a render that overran its budget (BaseException: no handler swallows it)."""


class _Watchdog:
    """One thread per process that interrupts renders running past their deadline.

    A render registers its thread's deadline and withdraws it when done: two dictionary writes
    under a lock, instead of a timer thread started and stopped for every render (which cost
    more than many renders, and could be left spinning in `Timer.cancel` by a late interrupt).
    """

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.deadlines: dict[int, float] = {}
        self.sent: set[int] = set()
        self.pid = 0

    def _start(self) -> None:
        # A forked worker (gunicorn) inherits the object but not the thread.
        self.pid = os.getpid()
        self.deadlines.clear()
        self.sent.clear()
        threading.Thread(target=self._watch, name="render-watchdog", daemon=True).start()

    def _watch(self) -> None:
        with self.condition:
            while True:
                now = time.monotonic()
                for ident, deadline in list(self.deadlines.items()):
                    if deadline <= now:
                        # Raised in the rendering thread at its next bytecode. If that bytecode
                        # is a garbage-collector callback's, Python reports the exception there
                        # and drops it: until the render is released, it is sent again.
                        self.deadlines[ident] = now + RESEND_SECONDS
                        self.sent.add(ident)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(ident), ctypes.py_object(_OutOfTime)
                        )
                earliest = min(self.deadlines.values(), default=None)
                self.condition.wait(None if earliest is None else earliest - now)

    def watch(self, ident: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with self.condition:
            if self.pid != os.getpid():
                self._start()
            earliest = min(self.deadlines.values(), default=None)
            self.deadlines[ident] = deadline
            if earliest is None or deadline < earliest:
                self.condition.notify()

    def release(self, ident: int) -> None:
        with self.condition:
            self.deadlines.pop(ident, None)
            if ident in self.sent:
                self.sent.discard(ident)
                # The interrupt was sent: withdraw it if it has not been raised yet.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)


_watchdog = _Watchdog()
# A process forked while the watchdog thread held its lock would inherit the lock held (and
# no thread to release it): the child starts with a watchdog of its own.
os.register_at_fork(after_in_child=_watchdog.__init__)


class Overrun(Exception):
    """A call run `within` its budget took longer; `seconds` is the budget it overran."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"more than {seconds:.1f} seconds")


def within(seconds: float, function, *args):
    """Return function(*args), run in this thread, or raise Overrun after `seconds`."""
    ident = threading.get_ident()
    try:
        _watchdog.watch(ident, seconds)
        try:
            return function(*args)
        finally:
            _watchdog.release(ident)
    except _OutOfTime:
        raise Overrun(seconds) from None
