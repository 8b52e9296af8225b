"""The fetch pool and its adaptive limit, with plain Python tasks (no SDK, no server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
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


@dataclass(eq=False)
class Sleepy:
    """Sleeps, then yields `parts` results; the first `fail_times` runs raise `error`."""

    name: str
    gauge: Gauge
    seconds: float = 0.05
    parts: int = 1
    error: BaseException | None = None
    fail_times: int = 0
    runs: int = 0

    def run(self) -> Iterator[str]:
        self.runs += 1
        with self.gauge:
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
            pool.submit(Sleepy(f"t{i}", gauge, parts=2))
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


def test_429_halves_the_limit_and_requeues_the_task() -> None:
    gauge = Gauge()
    tasks = [Sleepy(f"t{i}", gauge) for i in range(8)]
    tasks[2].error, tasks[2].fail_times = RateLimitedError("429"), 2
    with FetchPool(4) as pool:
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
    broken = Sleepy("broken", gauge, seconds=0.05, error=ValueError("boom"), fail_times=1)
    slow = Sleepy("slow", gauge, seconds=0.3)
    queued = [Sleepy(f"q{i}", gauge) for i in range(5)]
    with FetchPool(2) as pool:
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
    broken = Sleepy("broken", gauge, seconds=0.2, error=ValueError("boom"), fail_times=1)
    with FetchPool(2) as pool:
        pool.submit(stream)
        pool.submit(broken)
        values, ends = collect(pool)
    assert values == list(range(1, len(values) + 1)) and 3 <= len(values) <= stream.produced
    assert any(end.stopped for end in ends if end.task is stream)


def test_leaving_the_pool_early_does_not_wait_for_running_calls() -> None:
    gauge = Gauge()
    with pytest.raises(KeyboardInterrupt), FetchPool(2) as pool:
        pool.submit(Sleepy("long", gauge, seconds=0.5, parts=3))
        while gauge.now == 0:
            time.sleep(0.01)
        started = time.monotonic()
        raise KeyboardInterrupt  # as Ctrl-C in the thread reading events
    assert time.monotonic() - started < 0.2
    # The worker ends once its call returns; it does not hand over results nobody reads.
    for thread in pool._threads:
        thread.join(timeout=3)
        assert not thread.is_alive()


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError):
        FetchPool(0)
