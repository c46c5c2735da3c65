"""JobRunner: signals of one job at a time, cancel through the work's own hook, bounded shutdown."""

from __future__ import annotations

import os
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from planner.workers import JobCancelled, JobFailure, JobRunner  # noqa: E402


def _counting(stop_after: float = 5.0):
    """Work that reports progress until cancelled, then returns how far it got."""

    def work(progress, cancel: threading.Event):
        steps = 0
        deadline = time.monotonic() + stop_after
        while not cancel.is_set() and time.monotonic() < deadline:
            steps += 1
            progress("Counting", min(1.0, steps / 100), f"{steps}")
            time.sleep(0.01)
        return steps

    return work


def test_finished_carries_the_result(qtbot):
    runner = JobRunner()
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.start("sum", lambda progress, cancel: sum(range(10)))
    assert blocker.args == ["sum", 45]
    assert not runner.busy


def test_progress_reaches_the_gui_thread(qtbot):
    runner = JobRunner()
    seen = []
    runner.progress.connect(lambda stage, fraction, message: seen.append((stage, fraction)))
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start("count", _counting(stop_after=0.2))
    assert seen and all(stage == "Counting" and 0 <= f <= 1 for stage, f in seen)


def test_cancel_returns_what_the_work_had(qtbot):
    runner = JobRunner()
    with qtbot.waitSignal(runner.started, timeout=5000):
        runner.start("count", _counting())
    with qtbot.waitSignal(runner.cancelled, timeout=5000) as blocker:
        runner.cancel()
    name, steps = blocker.args
    assert name == "count" and isinstance(steps, int)


def test_work_that_stops_with_nothing_is_cancelled_with_none(qtbot):
    runner = JobRunner()

    def work(progress, cancel):
        cancel.wait(5)
        raise JobCancelled

    with qtbot.waitSignal(runner.started, timeout=5000):
        runner.start("wait", work)
    with qtbot.waitSignal(runner.cancelled, timeout=5000) as blocker:
        runner.cancel()
    assert blocker.args == ["wait", None]


def test_a_new_job_cancels_the_old_one_and_only_its_signals_arrive(qtbot):
    runner = JobRunner()
    finished, cancelled = [], []
    runner.finished.connect(lambda name, result: finished.append(name))
    runner.cancelled.connect(lambda name, result: cancelled.append(name))
    first_cancel = threading.Event()

    def first(progress, cancel):
        cancel.wait(5)
        first_cancel.set()
        return "first"

    runner.start("first", first)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start("second", lambda progress, cancel: "second")
    qtbot.waitUntil(first_cancel.is_set, timeout=5000)
    qtbot.wait(50)
    assert finished == ["second"]
    assert cancelled == []  # the replaced job's late signal is dropped


def test_failure_carries_the_traceback(qtbot):
    runner = JobRunner()

    def broken(progress, cancel):
        raise RuntimeError("disk on fire")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start("broken", broken)
    name, failure = blocker.args
    assert name == "broken" and isinstance(failure, JobFailure)
    assert "disk on fire" in failure.traceback and "Traceback" in failure.traceback


def test_shutdown_cancels_and_waits_a_bounded_time(qtbot):
    runner = JobRunner()
    with qtbot.waitSignal(runner.started, timeout=5000):
        runner.start("count", _counting())
    began = time.monotonic()
    assert runner.shutdown(3000)
    assert time.monotonic() - began < 3.0


def test_shutdown_gives_up_on_work_that_ignores_cancel(qtbot):
    runner = JobRunner()
    release = threading.Event()
    with qtbot.waitSignal(runner.started, timeout=5000):
        runner.start("stubborn", lambda progress, cancel: release.wait(5))
    began = time.monotonic()
    assert not runner.shutdown(200)
    assert time.monotonic() - began < 2.0
    release.set()
    assert runner.shutdown(5000)


def test_pool_threads_can_use_pyproj_in_one_job_after_another(qtbot):
    """pyproj frees a thread's PROJ context with the Python thread state, which PySide drops
    after each job unless `_pin_thread_state` keeps it; then the second snapping crashed."""
    from tests.conftest import DEMO_DIR

    if not (DEMO_DIR / "leeds_walk.osm.pbf").exists():
        pytest.skip("demo street network not present")
    from solver.load import check_network
    from solver.scenario import read_scenario

    scenario = read_scenario(DEMO_DIR / "scenario.toml")
    runner = JobRunner()
    for name in ("first", "second", "third"):
        with qtbot.waitSignal(runner.finished, timeout=60_000) as blocker:
            runner.start(name, lambda progress, cancel: check_network(scenario))
        assert blocker.args[1].snapping.station_node


def test_a_pool_thread_keeps_its_python_thread_state_between_jobs(qtbot):
    runner = JobRunner()
    runner.pool.setMaxThreadCount(1)
    local = threading.local()

    def remember(progress, cancel):
        seen = getattr(local, "value", None)
        local.value = threading.get_native_id()
        return seen

    with qtbot.waitSignal(runner.finished, timeout=5000) as first:
        runner.start("first", remember)
    with qtbot.waitSignal(runner.finished, timeout=5000) as second:
        runner.start("second", remember)
    assert first.args[1] is None
    assert second.args[1] is not None  # the thread-local value survived the first job
