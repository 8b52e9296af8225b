"""Fetching on worker threads, a bounded and adaptive number at once; writing stays on the
calling thread.

Why threads help: W&B answers a heavy `Runs` page or a history page in hundreds of
milliseconds, so a sync is bound by latency, not work. `wandb.Api` sends every call to
the wandb-core process, which handles each request on its own goroutine (at most 10 at
once per `wandb.Api`), so several Python threads sharing one client have that many
requests in flight; the Python side only waits on a reply (the GIL is free meanwhile).
Measured on the fake server with 200 ms per request: 20 heavy batches took 4.3 s from
one thread, 1.25 s from 4 and 0.76 s from 8.

The pool: `concurrency` daemon threads (WANDB_WAREHOUSE_CONCURRENCY, default 4; 1 runs
the tasks one after another in submission order, as before). A task is anything with
`run()` (an iterable of results: a listing's pages, a heavy batch's records, a run's
history batches) and `retry()`. Each result comes back to the thread iterating
`events()`, in order of completion across tasks and in order within a task, through a
queue of `concurrency` places: a slow writer holds the workers back instead of letting
results pile up in memory. A task's place is free again when its worker is done, so the
next request does not wait for the writer (freeing it only once the writer had handled
the task was 5-9% slower at concurrency 4); with concurrency 1 it is freed only then,
so each result is written before the next request goes out, as before. Only the calling
thread touches DuckDB, so there is one writer and every write is committed as it was
before.

Failures: the first task that fails stops the pool: queued tasks are dropped, running
streams stop after their current result, running single calls finish; every result
already produced is still handed over (so it can be written), then the error event
ends the iteration for the caller to raise. Tasks are dropped only on failure, so a
sync that ends keeps everything fetched until then.

HTTP 429 and Retry-After, layer by layer:
- wandb-core retries a 429 (like a 5xx) up to WANDB_WAREHOUSE_MAX_RETRIES times, and
  waits what the response's `Retry-After` says (seconds or an HTTP date) before each
  retry, even past WANDB_WAREHOUSE_RETRY_WAIT; without the header it backs off
  exponentially. That is the only place Retry-After is honoured: a successful retry
  returns to Python like any reply, and a final failure carries the status in its text
  but no headers.
- wandb-core shares nothing between concurrent requests (its rate limiter serves run
  logging, not `wandb.Api`), so the back-off across requests lives here: a 429 that
  outlasts wandb-core's retries (`RateLimitedError`) halves the number of tasks allowed
  to run at once, and the task is queued again (a history run from its next unread
  step). After `limit` tasks in a row succeed, the limit grows by one, up to
  `concurrency` (additive increase, multiplicative decrease). A task started before the
  last halving does not halve again (one congestion episode, one halving). A 429 of a
  task that ran while the limit was already 1 ends the sync as any other failure: with
  concurrency 1 a 429 behaves as before, and a server answering 429 forever still ends
  the command in bounded time.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from extract.wandb_api.client import RateLimitedError


class Task(Protocol):
    """Work for the pool: `run()` yields results; `retry()` is the task to run after a 429
    (None: a 429 cannot be retried, e.g. a listing half read)."""

    def run(self) -> Iterable[Any]: ...

    def retry(self) -> Task | None: ...


@dataclass(frozen=True)
class Event:
    """One result of a task, or the end of a task (`done`), with its error if it failed."""

    task: Task
    value: Any = None
    done: bool = False
    error: BaseException | None = None
    stopped: bool = False  # ended early because another task failed


class AdaptiveLimit:
    """How many tasks may run at once: halved on a 429, one more after `limit` successes
    in a row, between 1 and `ceiling`. `generation` counts the halvings."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.limit = ceiling
        self.lowest = ceiling
        self.generation = 0
        self._streak = 0

    def rate_limited(self, generation: int) -> bool:
        """A task started at `generation` kept getting 429: may it run again?"""
        if generation != self.generation:
            return True  # it ran under a higher limit, already halved since
        if self.limit <= 1:
            return False
        self.limit = max(1, self.limit // 2)
        self.lowest = min(self.lowest, self.limit)
        self.generation += 1
        self._streak = 0
        return True

    def succeeded(self) -> None:
        self._streak += 1
        if self.limit < self.ceiling and self._streak >= self.limit:
            self.limit += 1
            self._streak = 0


class FetchPool:
    """Worker threads running tasks; results come back through `events()`. Use as a
    context manager: leaving it (also by an exception) stops the workers."""

    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.limit = AdaptiveLimit(concurrency)
        # One at a time: a place is free once the caller handled the task's end.
        self._free_when_handled = concurrency == 1
        self.requeued = 0  # tasks queued again after a 429
        self._cond = threading.Condition()
        self._pending: deque[Task] = deque()
        self._running = 0
        self._outstanding = 0  # tasks submitted whose end has not been handed over
        self._stopping = False
        self._closed = False
        self._events: queue.Queue[Event] = queue.Queue(maxsize=concurrency)
        self._threads = [
            threading.Thread(target=self._work, name=f"wandb-fetch-{i}", daemon=True)
            for i in range(concurrency)
        ]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> FetchPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def stopping(self) -> bool:
        return self._stopping

    def backoff_note(self) -> str:
        """' (N calls kept getting HTTP 429 ...)' for a final line, if any did."""
        if not self.requeued:
            return ""
        return (
            f" ({self.requeued} calls kept getting HTTP 429: retried with fewer at once, "
            f"down to {self.limit.lowest} of {self.limit.ceiling})"
        )

    def submit(self, task: Task) -> None:
        """Queue a task (it runs after those queued before it); ignored once stopping."""
        with self._cond:
            if self._stopping:
                return
            self._pending.append(task)
            self._outstanding += 1
            self._cond.notify_all()

    def events(self) -> Iterator[Event]:
        """Results and ends of tasks as they happen, until every submitted task has ended.

        The first failed task stops the pool (see the module docstring); its `done`
        event carries the error and iteration continues until the running tasks ended.
        Not to be used after `close()`.
        """
        while True:
            with self._cond:
                if self._outstanding == 0:
                    return
            event = self._events.get()
            yield event
            if event.done:  # handled by the caller
                with self._cond:
                    self._outstanding -= 1
                    if self._free_when_handled:
                        self._running -= 1
                        self._cond.notify_all()

    def close(self) -> None:
        """Stop the workers; those inside a call end when it returns (daemon threads)."""
        with self._cond:
            self._stop()
            self._closed = True
            self._cond.notify_all()

    # -- inside ------------------------------------------------------------------------
    def _stop(self) -> None:
        """Drop the queued tasks and let running streams end (hold the lock)."""
        if self._stopping:
            return
        self._stopping = True
        self._outstanding -= len(self._pending)
        self._pending.clear()
        self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._pending or self._running >= self.limit.limit):
                    self._cond.wait()
                if self._closed:
                    return
                task = self._pending.popleft()
                self._running += 1
                generation = self.limit.generation
            event = self._run(task, generation)
            if event is None or not self._free_when_handled:  # None: queued again
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()
            if event is not None:
                self._put(event)

    def _run(self, task: Task, generation: int) -> Event | None:
        """Run one task, handing over its results; its final event (None: queued again)."""
        results: Iterator[Any] | None = None
        try:
            results = iter(task.run())
            while True:
                if self._stopping:
                    return Event(task, done=True, stopped=True)
                try:
                    value = next(results)
                except StopIteration:
                    break
                if not self._put(Event(task, value)):
                    return Event(task, done=True, stopped=True)
        except RateLimitedError as exc:
            with self._cond:
                again = None
                if not self._stopping and self.limit.rate_limited(generation):
                    again = task.retry()
                if again is not None:
                    self.requeued += 1
                    self._pending.appendleft(again)
                    self._cond.notify_all()
                    return None
                self._stop()
            return Event(task, done=True, error=exc)
        except BaseException as exc:  # every failure goes to the caller
            with self._cond:
                self._stop()
            return Event(task, done=True, error=exc)
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        with self._cond:
            self.limit.succeeded()
        return Event(task, done=True)

    def _put(self, event: Event) -> bool:
        """Hand an event over, waiting for room; False if the pool was closed meanwhile."""
        while True:
            try:
                self._events.put(event, timeout=0.2)
                return True
            except queue.Full:
                if self._closed:
                    return False
