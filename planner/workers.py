"""Background jobs: a `QRunnable` per job, a `QObject` of signals, one job at a time.

The work itself is a plain callable ``work(progress, cancel) -> result`` that knows nothing
of Qt: ``progress(stage, fraction, message)`` reports, ``cancel`` is a `threading.Event` the
work polls or hands to the solver's own cancel hook. `JobRunner` starts it on a
`QThreadPool`, turns the callbacks into queued signals, cancels the previous job when a new
one starts (its late signals are dropped), and on shutdown cancels and waits a bounded time.
Threads are never terminated.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Progress = Callable[[str, float, str], None]
Work = Callable[[Progress, threading.Event], Any]


class JobCancelled(Exception):
    """Raised by work that stops early with nothing to return."""


@dataclass(frozen=True)
class JobFailure:
    """What a failed job hands to the GUI: the exception and its formatted traceback."""

    error: BaseException
    traceback: str


#: Native ids of pool threads whose Python thread state is pinned (see `_pin_thread_state`).
_PINNED_THREADS: set[int] = set()


def _pin_thread_state() -> None:
    """Keep this pool thread's Python thread state for the life of the thread.

    PySide creates a Python thread state for each ``QRunnable.run`` and deletes it after, on
    the same OS thread. C extensions that cache per-thread Python state in OS thread-local
    storage then use freed memory on the thread's next job: pyproj frees its PROJ context
    with the thread state (a ``threading.local``) but keeps the pointer; OR-Tools' pybind11
    bindings keep the thread state itself. Both crashed the second plan of a session. One
    extra ``PyGILState_Ensure``, never released, keeps the thread state (and its
    ``threading.local`` values) alive between jobs; pool threads never expire, so there is
    one such state per pool thread.
    """
    ident = threading.get_native_id()
    if ident in _PINNED_THREADS:
        return
    ensure = ctypes.pythonapi.PyGILState_Ensure
    ensure.restype = ctypes.c_int
    ensure()
    _PINNED_THREADS.add(ident)


class JobSignals(QObject):
    """Signals of one job; emitted from the worker thread, delivered queued to the GUI.

    ``finished`` carries the result; ``cancelled`` carries whatever the work returned after
    the cancel (e.g. the best plan found) or None; ``failed`` carries a `JobFailure`.
    """

    started = Signal(int)
    progress = Signal(int, str, float, str)
    finished = Signal(int, object)
    failed = Signal(int, object)
    cancelled = Signal(int, object)


class Job(QRunnable):
    """One run of ``work`` on a pool thread."""

    def __init__(self, job_id: int, name: str, work: Work):
        super().__init__()
        # Python owns the job; JobRunner keeps it until its thread has left run().
        self.setAutoDelete(False)
        self.job_id = job_id
        self.name = name
        self.work = work
        self.cancel_event = threading.Event()
        self.done_event = threading.Event()
        self.signals = JobSignals()

    def _progress(self, stage: str, fraction: float, message: str) -> None:
        self.signals.progress.emit(self.job_id, str(stage), float(fraction), str(message))

    def run(self) -> None:  # noqa: D102 - QRunnable API
        _pin_thread_state()
        signals = self.signals
        try:
            signals.started.emit(self.job_id)
            try:
                result = self.work(self._progress, self.cancel_event)
            except JobCancelled:
                signals.cancelled.emit(self.job_id, None)
                return
            except Exception as exc:  # noqa: BLE001 - every failure goes to the GUI once
                text = traceback.format_exc()
                log.error("job %s failed:\n%s", self.name, text)
                signals.failed.emit(self.job_id, JobFailure(exc, text))
                return
            if self.cancel_event.is_set():
                signals.cancelled.emit(self.job_id, result)
            else:
                signals.finished.emit(self.job_id, result)
        finally:
            self.done_event.set()


class JobRunner(QObject):
    """Runs one job at a time on a private thread pool.

    Signals carry only the current job's events; a replaced job's late signals are dropped.
    """

    started = Signal(str)
    progress = Signal(str, float, str)
    finished = Signal(str, object)
    failed = Signal(str, object)
    cancelled = Signal(str, object)
    busy_changed = Signal(bool)

    _ids = itertools.count(1)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.pool.setExpiryTimeout(-1)  # see _pin_thread_state
        self._current: Job | None = None
        self._jobs: dict[int, Job] = {}
        self._retired: list[Job] = []

    @property
    def busy(self) -> bool:
        return self._current is not None

    @property
    def current_name(self) -> str:
        return self._current.name if self._current is not None else ""

    def start(self, name: str, work: Work) -> int:
        """Start ``work`` as job ``name``; a running job is cancelled first. Returns its id."""
        self.cancel()
        self._retired = [j for j in self._retired if not j.done_event.is_set()]
        job = Job(next(self._ids), name, work)
        job.signals.started.connect(self._on_started)
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(self._on_cancelled)
        self._jobs[job.job_id] = job
        self._current = job
        log.info("job %d %s started", job.job_id, name)
        self.pool.start(job)
        self.busy_changed.emit(True)
        return job.job_id

    def cancel(self) -> None:
        """Ask the running job to stop (it ends through its own cancel hook)."""
        if self._current is not None:
            log.info("job %d %s: cancel requested", self._current.job_id, self._current.name)
            self._current.cancel_event.set()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel every job and wait up to ``timeout_ms``; True when all ended in time."""
        for job in [*self._jobs.values(), *self._retired]:
            job.cancel_event.set()
        done = self.pool.waitForDone(timeout_ms)
        if not done:
            log.warning("background work still running after %d ms; leaving it to finish", timeout_ms)
        return done

    def _is_current(self, job_id: int) -> bool:
        return self._current is not None and self._current.job_id == job_id

    def _end(self, job_id: int) -> Job | None:
        job = self._jobs.pop(job_id, None)
        if job is not None:
            self._retired.append(job)
        if self._is_current(job_id):
            self._current = None
            self.busy_changed.emit(False)
            return job
        return None

    def _on_started(self, job_id: int) -> None:
        if self._is_current(job_id):
            self.started.emit(self._current.name)  # type: ignore[union-attr]

    def _on_progress(self, job_id: int, stage: str, fraction: float, message: str) -> None:
        if self._is_current(job_id):
            self.progress.emit(stage, fraction, message)

    def _on_finished(self, job_id: int, result: object) -> None:
        job = self._end(job_id)
        if job is not None:
            self.finished.emit(job.name, result)

    def _on_failed(self, job_id: int, failure: object) -> None:
        job = self._end(job_id)
        if job is not None:
            self.failed.emit(job.name, failure)

    def _on_cancelled(self, job_id: int, result: object) -> None:
        job = self._end(job_id)
        if job is not None:
            self.cancelled.emit(job.name, result)
