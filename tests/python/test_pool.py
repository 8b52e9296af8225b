"""The fetch pool and its adaptive limit, with plain Python tasks (no SDK, no server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from extract.sync.pool import AdaptiveLimit, Event, FetchPool
from extract.wandb_api.client import RateLimitedError


@dataclass
class Gauge:
    """How many tasks run at once, and the most that did."""

    now: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll `condition` until it holds; fail (not hang) if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.001)


@dataclass(eq=False)
class Sleepy:
    """Sleeps, then yields `parts` results; the first `fail_times` runs raise `error`.

    `after`: once running, wait until it holds before going on. Tests that need one task
    to end before another say so with it: on a loaded machine, tasks that sleep for the
    same time (or even 50 ms against 300 ms) end in any order."""

    name: str
    gauge: Gauge
    seconds: float | tuple[float, ...] = 0.05  # a tuple: per run (the last one repeats)
    parts: int = 1
    error: BaseException | None = None
    fail_times: int = 0
    runs: int = 0
    after: Callable[[], bool] | None = None

    def run(self) -> Iterator[str]:
        self.runs += 1
        with self.gauge:
            if self.after is not None:
                wait_until(self.after, f"the start condition of {self.name}")
            if isinstance(self.seconds, tuple):
                time.sleep(self.seconds[min(self.runs, len(self.seconds)) - 1])
            else:
                time.sleep(self.seconds)
            if self.runs <= self.fail_times and self.error is not None:
                raise self.error
            for part in range(self.parts):
                yield f"{self.name}.{part}"

    def retry(self) -> Sleepy:
        return self


def collect(pool: FetchPool) -> tuple[list[str], list[Event]]:
    values, ends = [], []
    for event in pool.events():
        if event.done:
            ends.append(event)
        else:
            values.append(event.value)
    return values, ends


def test_adaptive_limit_halves_on_429_and_recovers_one_at_a_time() -> None:
    limit = AdaptiveLimit(8)
    assert limit.rate_limited(limit.generation) and limit.limit == 4
    # A task started before that halving does not halve again.
    assert limit.rate_limited(0) and limit.limit == 4
    assert limit.rate_limited(limit.generation) and limit.limit == 2
    assert limit.rate_limited(limit.generation) and limit.limit == 1
    assert not limit.rate_limited(limit.generation)  # at 1: the 429 is final
    assert limit.lowest == 1
    for expected in (2, 2, 3, 3, 3, 4):
        limit.succeeded()
        assert limit.limit == expected
    for _ in range(100):
        limit.succeeded()
    assert limit.limit == 8


def test_results_of_every_task_come_back_with_at_most_concurrency_running() -> None:
    gauge = Gauge()
    with FetchPool(3) as pool:
        for i in range(12):
            # The first three wait for each other, so three did run at once.
            pool.submit(Sleepy(f"t{i}", gauge, parts=2, after=lambda: gauge.peak >= 3))
        values, ends = collect(pool)
    assert sorted(values) == sorted(f"t{i}.{p}" for i in range(12) for p in range(2))
    assert len(ends) == 12 and all(e.error is None and not e.stopped for e in ends)
    assert gauge.peak == 3


def test_concurrency_one_runs_tasks_in_submission_order() -> None:
    gauge = Gauge()
    with FetchPool(1) as pool:
        for i in range(5):
            pool.submit(Sleepy(f"t{i}", gauge, seconds=0.01 * (5 - i)))
        values, _ = collect(pool)
    assert values == [f"t{i}.0" for i in range(5)]
    assert gauge.peak == 1


@pytest.mark.parametrize(
    "t2_seconds",
    # The second: t2's second run ends last, as a loaded machine may schedule it.
    [(0.05,), (0.05, 0.5, 0.05)],
    ids=["even", "second-429-last"],
)
def test_429_halves_the_limit_and_requeues_the_task(t2_seconds: tuple[float, ...]) -> None:
    gauge = Gauge()
    with FetchPool(4) as pool:
        # t2 gets 429 twice: 4 -> 2, then 2 -> 1. Each success in between may raise the
        # limit again (by one per `limit` in a row), so the second halving starts from
        # whatever ended before it: t0, t1 and t3 end after the first 429 (at most 3),
        # the queued t4-t7 after the second. Left to their sleeps, t3-t6 could all end
        # first and the second 429 would halve 4 to 2.
        def after_429s(count: int) -> Callable[[], bool]:
            return lambda: pool.requeued >= count

        tasks = [Sleepy(f"t{i}", gauge, after=after_429s(1 if i < 4 else 2)) for i in range(8)]
        tasks[2] = Sleepy(
            "t2", gauge, seconds=t2_seconds, error=RateLimitedError("429"), fail_times=2
        )
        for task in tasks:
            pool.submit(task)
        values, ends = collect(pool)
        assert pool.requeued == 2
        assert pool.limit.lowest == 1
    assert sorted(values) == sorted(f"t{i}.0" for i in range(8))
    assert all(end.error is None for end in ends)
    assert tasks[2].runs == 3


def test_429_at_limit_one_ends_like_any_failure() -> None:
    gauge = Gauge()
    task = Sleepy("t", gauge, error=RateLimitedError("kept failing: HTTP 429"), fail_times=9)
    with FetchPool(1) as pool:
        pool.submit(task)
        _, ends = collect(pool)
    assert [str(end.error) for end in ends] == ["kept failing: HTTP 429"]
    assert task.runs == 1


def test_a_failure_drops_queued_tasks_and_hands_over_what_was_fetched() -> None:
    gauge = Gauge()
    broken = Sleepy("broken", gauge, error=ValueError("boom"), fail_times=1)
    queued = [Sleepy(f"q{i}", gauge) for i in range(5)]
    with FetchPool(2) as pool:
        slow = Sleepy("slow", gauge, after=lambda: pool.stopping)  # ends after the failure
        for task in (broken, slow, *queued):
            pool.submit(task)
        values, ends = collect(pool)
    assert values == ["slow.0"]  # finished after the failure, still handed over
    assert [str(end.error) for end in ends if end.error] == ["boom"]
    assert all(task.runs == 0 for task in queued)


def test_a_failure_stops_running_streams_after_their_current_result() -> None:
    gauge = Gauge()

    @dataclass(eq=False)
    class Stream:
        produced: int = 0

        def run(self) -> Iterator[int]:
            while True:
                time.sleep(0.02)
                self.produced += 1
                yield self.produced

        def retry(self) -> None:
            return None

    stream = Stream()
    broken = Sleepy(
        "broken", gauge, error=ValueError("boom"), fail_times=1, after=lambda: stream.produced >= 3
    )
    with FetchPool(2) as pool:
        pool.submit(stream)
        pool.submit(broken)
        values, ends = collect(pool)
    assert values == list(range(1, len(values) + 1)) and 3 <= len(values) <= stream.produced
    assert any(end.stopped for end in ends if end.task is stream)


def test_leaving_the_pool_early_does_not_wait_for_running_calls() -> None:
    gauge = Gauge()
    call_returns = threading.Event()
    with pytest.raises(KeyboardInterrupt), FetchPool(2) as pool:
        pool.submit(Sleepy("long", gauge, seconds=0, parts=3, after=call_returns.is_set))
        wait_until(lambda: gauge.now == 1, "the call to start")
        raise KeyboardInterrupt  # as Ctrl-C in the thread reading events
    # Left while the call is still running (had leaving waited for it, it would not be).
    assert gauge.now == 1
    call_returns.set()
    # The worker ends once its call returns; it does not hand over results nobody reads.
    for thread in pool._threads:
        thread.join(timeout=3)
        assert not thread.is_alive()


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError):
        FetchPool(0)
