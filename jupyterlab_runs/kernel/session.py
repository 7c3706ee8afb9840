"""The kernel's tracking state: the stack of active runs, the store, and the cell hooks.

Cells that do not track pay nothing: IPython hooks are registered only while a run is open
or a cell is claimed, and removed as soon as neither holds.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
from typing import Any

from ..store.base import NewRun, Run, RunStore, StoreError
from . import context as ctx
from .display import emit, log_bundle, show_card, warn
from .flusher import Flusher
from .notebook_path import default_experiment, local_file, notebook_path
from .papermill import InjectedParams
from .runs import WRITE_POINTS, ActiveRun

STORE_ERRORS = (StoreError, OSError, sqlite3.Error)


class Session:
    """One per process: what is being tracked and where it goes."""

    def __init__(self) -> None:
        self.experiment: str | None = None  # set by %runs experiment / set_experiment
        self.stack: list[ActiveRun] = []
        self._store: RunStore | None = None
        self._store_uri: str | None = None
        self._claim: str | None = None
        self._claimed_code = ""
        self._claimed_cell = False
        self._claimed_id = ""
        self._shell: Any = None
        self._injected = InjectedParams()
        self._exit_hook = False
        self._warned: set[int] = set()
        self._flusher = Flusher(self)

    # -- where runs go -----------------------------------------------------------------------
    def store(self) -> RunStore:
        """The store for the current ``resolve_uri()``, reopened when that changes."""
        from ..store import open_store, resolve_uri

        uri = resolve_uri()
        if self._store is None or uri != self._store_uri:
            self._store = open_store(uri)
            self._store_uri = uri
        return self._store

    def experiment_name(self, explicit: str | None = None) -> str:
        """Option → ``%runs experiment`` → notebook metadata → notebook path → ``default``."""
        return explicit or self.experiment or default_experiment(ctx.get_shell())

    def after_fork(self) -> None:
        """A forked child must not share the parent's database connections."""
        self._store = None
        self._store_uri = None
        self._flusher = Flusher(self)  # threads do not survive a fork

    # -- runs --------------------------------------------------------------------------------
    def start(
        self,
        *,
        experiment: str | None = None,
        name: str | None = None,
        tags: dict[str, Any] | None = None,
        nested: bool = False,
        kind: str = "explicit",
        source: str = "api",
        code: str | None = None,
    ) -> ActiveRun:
        """Open a run on top of the stack; explicit top-level runs are created in the store now."""
        parent = self.stack[-1] if self.stack else None
        if parent is not None and kind == "explicit" and not nested:
            raise RuntimeError(
                f"a run is already active ({parent!r}); end it first, or call "
                "start_run(nested=True) to log a child run"
            )
        shell = ctx.get_shell()
        if experiment is None and parent is not None:
            experiment = parent.experiment_name  # children live with their parent
        run = ActiveRun(
            self,
            experiment=self.experiment_name(experiment),
            name=name,
            source=source,
            parent=parent,
            live=kind == "explicit" and (parent is None or parent.live),
            kind=kind,
            context=self._context(shell, code),
        )
        run.add_fallback_params(self._injected.current(shell))
        for key, value in (tags or {}).items():
            run.set_tag(key, value)
        if run.live:
            self._create_live(run)
        self.stack.append(run)
        if run.live or run.promotable:
            self._flusher.watch()
        if ctx.in_kernel(shell):
            from .live_chart import LiveChart  # front ends only: scripts never load it

            run.chart = LiveChart()
        self._watch(shell)
        return run

    def current(self) -> ActiveRun:
        """The run ``log_*`` calls go to: the innermost one, else an implicit run for this cell
        (or, in a cell claimed by the front end's Log run, a collector of explicit values)."""
        if self.stack:
            return self.stack[-1]
        return self.start(kind="claim" if self._claimed_cell else "implicit")

    def cell_run(self) -> ActiveRun | None:
        """The run of the Log run or ``%%track`` cell executing now, if any (a claimed cell's
        collector starts on demand); runs opened inside it do not count."""
        if self.stack:
            top = self.stack[-1]
            return top if top.kind in ("track", "claim") else None
        return self.current() if self._claimed_cell else None

    @property
    def claimed_cell_id(self) -> str:
        """The id of the cell the front end's Log run claimed last."""
        return self._claimed_id

    def context_now(self) -> dict[str, Any]:
        """Where code runs now (notebook, cell, kernel, code, user, git commit), as runs keep it."""
        return self._context(ctx.get_shell(), None)

    def end(
        self,
        run: ActiveRun,
        error: BaseException | None = None,
        status: str | None = None,
        quiet: bool = False,
    ) -> Run | None:
        """Close ``run`` (and any run still open inside it) and save or display it."""
        with self._flusher.lock:  # not while the flusher writes it
            return self._end(run, error, status, quiet)

    def _end(
        self, run: ActiveRun, error: BaseException | None, status: str | None, quiet: bool
    ) -> Run | None:
        if run not in self.stack:
            return run.stored
        while self.stack[-1] is not run:
            self.end(self.stack[-1], error, status, quiet)
        self.stack.pop()
        run.finish(error)
        if status is not None:
            run.status = status
        if run.chart is not None:
            run.chart.close()
        try:
            if run.kind == "claim":
                self._emit_claim(run)
            elif run.live:
                self._end_live(run, quiet)
            elif run.parent is not None and run.parent.stored is None:
                run.parent.children.append(run)  # saved right after its parent
            else:
                self.save(run, quiet)
        finally:
            self._release()
        return run.stored

    def save(self, run: ActiveRun, quiet: bool = False) -> Run | None:
        """Write a deferred run whole (one ``create_run``), then its artifacts and children."""
        try:
            store = self.store()
            experiment = store.get_or_create_experiment(
                run.experiment_name, run.context.get("notebook_path")
            )
            run.stored = store.create_run(
                self._new_run(
                    run,
                    experiment.id,
                    status=run.status,
                    end_time=run.end_time,
                    params=run.final_params(),
                    metrics=run.all_metrics(),
                    tags=run.tags,
                )
            )
        except STORE_ERRORS as error:
            warn(f"the run was not saved: {error}")
            return None
        self._write_artifacts(run)
        if not quiet:
            show_card(run.stored, run.experiment_name)
        for child in run.children:
            self.save(child, quiet)
        return run.stored

    def flush(self, run: ActiveRun) -> None:
        """Write a live run's buffered values with one ``log_batch`` (a promotable deferred
        run with step points goes live: created now, RUNNING)."""
        with self._flusher.lock:
            if not run.live:
                if run.promotable and run.stored is None and run.buffered():
                    self._go_live(run)
                return
            self._flush_live(run)

    def wake_flusher(self) -> None:
        """Have the writer thread write open runs now (a live run's buffer is full)."""
        self._flusher.nudge()

    def _go_live(self, run: ActiveRun) -> None:
        run.go_live()
        try:
            self._create_live(run)
        except STORE_ERRORS as error:
            run.live = False  # saved whole at its end, as if it never tried
            if id(run) not in self._warned:
                self._warned.add(id(run))
                warn(f"the run could not be created yet ({error}); values stay buffered")

    def _flush_live(self, run: ActiveRun) -> None:
        # In writes of at most WRITE_POINTS points, until one takes fewer: the buffer is empty.
        while self._write_batch(run) == WRITE_POINTS:
            pass

    def _write_batch(self, run: ActiveRun) -> int:
        """One ``log_batch`` of at most WRITE_POINTS buffered points with the pending params
        and tags; how many points it wrote (0 also when the store refused it)."""
        params, metrics, tags = run.take_batch(WRITE_POINTS)
        if not (params or metrics or tags) or run.run_id is None:
            return 0
        try:
            self.store().log_batch(run.run_id, params, metrics, tags)
        except STORE_ERRORS as error:
            run.restore_batch(params, metrics, tags)
            if id(run) not in self._warned:
                self._warned.add(id(run))
                warn(f"could not write to run v{run.version} yet ({error}); values stay buffered")
            return 0
        return len(metrics)

    def add_artifact(self, run: ActiveRun, path: str, data: bytes, media_type: str | None) -> None:
        """Store a file with ``run``: now for a live run, when it is saved for a deferred one."""
        if run.kind == "claim":
            raise RuntimeError(
                "artifacts cannot be logged in a cell captured by Log run; wrap the code in "
                "`with jupyterlab_runs.start_run():` to log them"
            )
        if run.live and run.run_id is not None:
            self.store().log_artifact(run.run_id, path, data, media_type)
        else:
            run.artifacts.append((path, data, media_type))

    # -- claims from the front end -------------------------------------------------------------
    def claim(self, cell_id: str) -> str:
        """Collect implicit ``log_*`` values of the next execution of ``cell_id`` as an output,
        and return the numbers that execution assigned in its reply."""
        shell = ctx.get_shell()
        if shell is not None:
            self._shell = shell
            self._claim = cell_id
            shell.events.register("pre_run_cell", self._before_cell)
        return "ok"

    def _before_cell(self, info: Any) -> None:
        claim, self._claim = self._claim, None
        self._unregister("pre_run_cell", self._before_cell)
        current = getattr(info, "cell_id", None) or ctx.cell_id(self._shell)
        self._claimed_cell = claim is not None and current == claim
        if self._claimed_cell:
            self._claimed_id = claim
            self._claimed_code = getattr(info, "raw_cell", None) or ""
            self._shell.events.register("post_run_cell", self._after_cell)

    # -- hooks ---------------------------------------------------------------------------------
    def _watch(self, shell: Any) -> None:
        if not self._exit_hook:
            atexit.register(self._at_exit)
            self._exit_hook = True
        if shell is not None:
            self._shell = shell
            shell.events.register("post_run_cell", self._after_cell)

    def _release(self) -> None:
        if not self.stack and not self._claimed_cell and self._shell is not None:
            self._unregister("post_run_cell", self._after_cell)

    def _unregister(self, event: str, callback: Any) -> None:
        try:
            self._shell.events.unregister(event, callback)
        except ValueError:
            pass

    def _after_cell(self, result: Any) -> None:
        """End this cell's implicit run; flush and freeze the views of runs spanning cells."""
        error = getattr(result, "error_in_exec", None)
        for run in [r for r in self.stack if r.kind in ("implicit", "claim")]:
            self.end(run, error=error)
        if self._claimed_cell:
            from .probe import write_payload  # Log-run cells only: the capture's scanner

            count = getattr(result, "execution_count", None)
            write_payload(self._shell, self._claimed_id, self._claimed_code, count)
        self._claimed_cell = False
        for run in self.stack:
            if run.live:
                self.flush(run)
            if run.chart is not None:
                run.chart.close()
        self._release()

    def _at_exit(self) -> None:
        """Save what is still open when the interpreter exits (kernel shutdown, end of script)."""
        status = "KILLED" if ctx.get_shell() is not None else None
        while self.stack:
            self.end(self.stack[-1], status=status, quiet=True)

    # -- internals -----------------------------------------------------------------------------
    def _context(self, shell: Any, code: str | None) -> dict[str, Any]:
        path = notebook_path(shell)
        file = local_file(path) if path else None
        return {
            "notebook_path": path,
            "cell_id": ctx.cell_id(shell),
            "execution_count": ctx.execution_count(shell),
            "kernel_name": ctx.kernel_name() if shell is not None else None,
            "language": ctx.language(shell),
            "code": code if code is not None else (ctx.cell_code(shell) if shell else ""),
            "user": ctx.user(),
            "git_commit": ctx.git_commit(os.path.dirname(file) if file else None),
        }

    def _new_run(self, run: ActiveRun, experiment_id: str, **values: Any) -> NewRun:
        parent = run.parent.run_id if run.parent is not None else None
        return NewRun(
            experiment_id=experiment_id,
            source=run.source,
            name=run.name,
            start_time=run.start_time,
            parent_run_id=parent,
            error=run.error,
            **run.context,
            **values,
        )

    def _create_live(self, run: ActiveRun) -> None:
        store = self.store()
        experiment = store.get_or_create_experiment(
            run.experiment_name, run.context.get("notebook_path")
        )
        params, metrics, tags = run.take_batch()
        try:
            run.stored = store.create_run(
                self._new_run(
                    run,
                    experiment.id,
                    status="RUNNING",
                    params=params,
                    metrics=list(metrics),
                    tags=tags,
                )
            )
        except STORE_ERRORS:
            run.restore_batch(params, metrics, tags)
            raise

    def _end_live(self, run: ActiveRun, quiet: bool) -> None:
        run.queue_leftover_params()
        run.queue_captured()
        # The last write's worth goes with the end, in one transaction: the writer takes the
        # store's lock once less per run (B4); what is beyond it is written as flushes do.
        while run.buffered() > WRITE_POINTS and self._write_batch(run):
            pass
        params, metrics, tags = run.take_batch(WRITE_POINTS)
        ending = (run.run_id, run.status, run.end_time, run.error)
        try:
            run.stored = self.store().log_and_end_run(*ending, params, metrics, tags)
        except STORE_ERRORS:
            # Refused whole: write the values, then end it, apart (a run the MLflow bridge
            # ended already still takes the values its cell's capture found, as before).
            run.restore_batch(params, metrics, tags)
            self._flush_live(run)
            lost = run.buffered()
            if lost:
                warn(f"{lost} value(s) logged to run v{run.version} could not be written")
            try:
                run.stored = self.store().end_run(*ending)
            except STORE_ERRORS as error:
                warn(f"run v{run.version} could not be closed: {error}")
                return
        self._write_artifacts(run)  # those logged before a deferred run went live
        if not quiet:
            show_card(run.stored, run.experiment_name)
        for child in run.children:
            self.save(child, quiet)

    def _write_artifacts(self, run: ActiveRun) -> None:
        for path, data, media_type in run.artifacts:
            try:
                self.store().log_artifact(run.run_id, path, data, media_type)
            except STORE_ERRORS as error:
                warn(f"artifact {path!r} of run v{run.version} was not saved: {error}")
        run.artifacts.clear()

    def _emit_claim(self, run: ActiveRun) -> None:
        payload = run.explicit_payload()
        if payload["params"] or payload["metrics"] or payload["tags"]:
            emit(log_bundle(payload))


_session: Session | None = None


def get_session() -> Session:
    """The process's session, created on first use."""
    global _session
    if _session is None:
        _session = Session()
    return _session


def _after_fork_in_child() -> None:
    if _session is not None:
        _session.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
