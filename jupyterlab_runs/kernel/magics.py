"""The magics: ``%%track``, ``%log_param(s)``, ``%log_metric(s)`` and ``%runs``."""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ..store.base import StoreError
from . import api
from .display import emit
from .lookup import find_run, search
from .session import get_session
from .tables import run_details, run_diff, runs_list
from .track import track_cell

COMMANDS = ("list", "show", "diff", "compare", "experiment", "delete", "restore")
CHART_KINDS = ("bar", "scatter", "parallel", "line")
MAX_LINES = 10  # metrics drawn by a line comparison without --metric


@contextmanager
def usage_errors() -> Iterator[None]:
    """Report bad input and store refusals as a one-line UsageError, without a traceback."""
    try:
        yield
    except (StoreError, ValueError, RuntimeError) as error:
        raise UsageError(str(error)) from None


def parse(magic: Any, line: str, intermixed: bool = False) -> Any:
    """Options of a magic split like a shell does (``-n "my run"``, ``--filter 'a > 1'``)."""
    try:
        argv = shlex.split(line)
    except ValueError as error:
        raise UsageError(f"cannot split the arguments: {error}") from None
    parser = magic.parser
    return parser.parse_intermixed_args(argv) if intermixed else parser.parse_args(argv)


def literal(text: str) -> Any:
    """``text`` as a Python literal when it is one (``3``, ``[64, 32]``, ``'rf'``), else as is."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def key(text: str) -> str:
    """A key typed bare or quoted (``'my key'``)."""
    value = literal(text)
    return value if isinstance(value, str) else text


def number(text: str, name: str) -> float:
    """A metric value typed in a magic: any float literal, including nan and inf."""
    try:
        return float(text)
    except ValueError:
        value = literal(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"the value of metric {name!r} must be a number, got {text!r}")
    return float(value)


def pairs(tokens: list[str], what: str) -> dict[str, str]:
    """``KEY=VALUE`` tokens as a dict; tokens without ``=`` continue the previous value
    (the argument splitter cuts ``layers=[64, 32]`` and ``name="a b"`` at their spaces)."""
    result: dict[str, str] = {}
    key = None
    for token in tokens:
        name, sep, value = token.partition("=")
        if sep and name and not name.startswith(("[", "(", "{", "'", '"')):
            key = name
            result[key] = value
        elif key is None:
            raise UsageError(f"{what} takes KEY=VALUE pairs, got {token!r}")
        else:
            result[key] += " " + token
    return result


@magics_class
class RunsMagics(Magics):
    """Experiment tracking magics of jupyterlab-runs."""

    @magic_arguments()
    @argument("-e", "--experiment", help="experiment to log to (default: this notebook's)")
    @argument("-n", "--name", help="name of the run (default: v<version>)")
    @argument(
        "--tag", nargs="+", action="extend", default=[], metavar="KEY=VALUE", help="tag the run"
    )
    @argument("--no-output", action="store_true", help="hide what the cell prints")
    @cell_magic
    def track(self, line: str, cell: str) -> None:
        """Run the cell and log it as a versioned run.

        Params are the cell's top-level literal assignments (and papermill's parameters);
        metrics are the numbers it assigns, the ``name: number`` lines it prints and
        whatever ``log_metric`` logs. A failing cell still fails, logged as FAILED
        (KILLED when interrupted).

        Example::

            %%track -e churn --tag stage=dev
            n_estimators = 200
            model = RandomForestClassifier(n_estimators=n_estimators).fit(X, y)
            accuracy = model.score(X_test, y_test)
        """
        args = parse(self.track, line)
        tags = {key: str(literal(text)) for key, text in pairs(args.tag, "--tag").items()}
        __tracebackhide__ = True
        track_cell(
            self.shell,
            cell,
            experiment=args.experiment,
            name=args.name,
            tags=tags,
            show_output=not args.no_output,
        )

    @magic_arguments()
    @argument("name", help="param key")
    @argument("value", nargs="+", help="a Python literal, or text")
    @line_magic
    def log_param(self, line: str) -> None:
        """Log a param of the active run: ``%log_param layers [64, 32]``."""
        args = parse_argstring(self.log_param, line)
        with usage_errors():
            api.log_param(key(args.name), literal(" ".join(args.value)))

    @magic_arguments()
    @argument("pairs", nargs="+", metavar="KEY=VALUE", help="values are Python literals or text")
    @line_magic
    def log_params(self, line: str) -> None:
        """Log params of the active run: ``%log_params lr=0.01 model='rf' layers=[64, 32]``."""
        args = parse_argstring(self.log_params, line)
        values = {key: literal(text) for key, text in pairs(args.pairs, "%log_params").items()}
        with usage_errors():
            api.log_params(values)

    @magic_arguments()
    @argument("name", help="metric key")
    @argument("value", help="a number (nan and inf are accepted)")
    @argument("--step", type=int, default=None, help="step of the metric's history")
    @line_magic
    def log_metric(self, line: str) -> None:
        """Log a metric of the active run: ``%log_metric accuracy 0.93 --step 5``."""
        args = parse(self.log_metric, line)
        value = number(args.value, args.name)
        with usage_errors():
            api.log_metric(args.name, value, step=args.step)

    @magic_arguments()
    @argument("pairs", nargs="+", metavar="KEY=VALUE", help="numbers")
    @argument("--step", type=int, default=None, help="step of the metrics' history")
    @line_magic
    def log_metrics(self, line: str) -> None:
        """Log metrics of the active run: ``%log_metrics accuracy=0.93 loss=0.2 --step 5``."""
        args = parse(self.log_metrics, line)
        values = {k: number(v, k) for k, v in pairs(args.pairs, "%log_metrics").items()}
        with usage_errors():
            api.log_metrics(values, step=args.step)

    @magic_arguments()
    @argument("command", choices=COMMANDS, help="what to do")
    @argument("targets", nargs="*", help="runs (v7, 7 or a run id); for experiment, its name")
    @argument("-e", "--experiment", help="experiment (default: this notebook's)")
    @argument("--filter", default="", help="MLflow-style filter, quoted")
    @argument("--order-by", default=None, help="one clause, e.g. 'metrics.accuracy DESC'")
    @argument("--top", type=int, default=50, help="how many runs to list (default 50)")
    @argument("--deleted", action="store_true", help="list deleted runs instead")
    @argument("--metric", help="metric to compare")
    @argument("--by", help="param to compare the metric by")
    @argument("--kind", choices=CHART_KINDS, help="chart of the comparison")
    @line_magic
    def runs(self, line: str) -> None:
        """Browse and compare the runs of an experiment.

        ::

            %runs list [-e EXP] [--filter "metrics.accuracy > 0.9"] [--order-by …] [--top N]
            %runs show v7
            %runs diff v3 v7
            %runs compare v3 v5 v7 [--metric accuracy] [--by n_estimators] [--kind bar]
            %runs experiment NAME      (later runs of this kernel go to NAME)
            %runs delete v7 / %runs restore v7
        """
        args = parse(self.runs, line, intermixed=True)
        with usage_errors():
            getattr(self, f"_runs_{args.command}")(args)

    # -- %runs subcommands ---------------------------------------------------------------
    def _experiment(self, args: Any) -> str:
        return get_session().experiment_name(args.experiment)

    def _targets(self, args: Any, count: int | None = None, least: int = 1) -> list[Any]:
        targets = args.targets
        if count is not None and len(targets) != count:
            raise UsageError(f"%runs {args.command} takes {count} run(s), got {len(targets)}")
        if len(targets) < least:
            raise UsageError(f"%runs {args.command} takes at least {least} runs")
        store, experiment = get_session().store(), self._experiment(args)
        return [find_run(store, target, experiment) for target in targets]

    def _runs_list(self, args: Any) -> None:
        if args.targets:
            raise UsageError(
                '%runs list takes no runs; quote the filter: --filter "metrics.accuracy > 0.9"'
            )
        experiment = self._experiment(args)
        runs = search(
            get_session().store(),
            [experiment],
            filter=args.filter,
            order_by=[args.order_by] if args.order_by else [],
            max_results=args.top,
            view="deleted" if args.deleted else "active",
        )
        emit(runs_list(runs, experiment))

    def _runs_show(self, args: Any) -> None:
        (run,) = self._targets(args, count=1)
        emit(run_details(run, self._experiment(args)))

    def _runs_diff(self, args: Any) -> None:
        first, second = self._targets(args, count=2)
        emit(run_diff(first, second))

    def _runs_compare(self, args: Any) -> None:
        from .compare import build_compare_bundle, history_limit

        runs = self._targets(args, least=1)
        kind = args.kind or ("scatter" if args.by else "bar")
        store = get_session().store()
        history = None
        if kind == "line":
            keys = [args.metric] if args.metric else sorted({k for r in runs for k in r.metrics})
            keys = keys[:MAX_LINES]
            # Only the points the chart keeps: 100 runs × 100,000 steps read whole took 10.6 s.
            limit = history_limit(len(runs) * len(keys))
            history = {
                run.id: {key: store.metric_extremes(run.id, key, limit) for key in keys}
                for run in runs
            }
        experiment = store.get_experiment(runs[0].experiment_id)
        emit(
            build_compare_bundle(
                runs,
                kind=kind,
                metric=args.metric,
                params=[args.by] if args.by else [],
                experiment=experiment,
                history=history,
            )
        )

    def _runs_experiment(self, args: Any) -> None:
        if not args.targets:
            print(f"Runs of this kernel go to experiment {self._experiment(args)}")
            return
        experiment = api.set_experiment(" ".join(args.targets))
        print(f"Later runs of this kernel go to experiment {experiment.name}")

    def _runs_delete(self, args: Any) -> None:
        for run in self._targets(args):
            get_session().store().delete_run(run.id)
            print(f"Deleted run v{run.version} (undo with %runs restore v{run.version})")

    def _runs_restore(self, args: Any) -> None:
        for run in self._targets(args):
            get_session().store().restore_run(run.id)
            print(f"Restored run v{run.version}")
