"""``jupyter-runs`` (also ``jupyter runs``): import from MLflow, export to MLflow, show a store.

    jupyter-runs import SOURCE [--into URI] [--experiment NAME]… [--no-artifacts]
    jupyter-runs export --to URI [--from URI] [--experiment NAME]… [--no-artifacts]
    jupyter-runs info [--uri URI]
    jupyter-runs sync [--uri URI]

SOURCE is an ``mlruns/`` folder, an MLflow database (``sqlite:///mlflow.db``, a ``.db`` file,
``postgresql://…``) or an MLflow tracking server URL; a folder or database file is read only
inside its folder. ``--into`` and ``--from`` default to the store a kernel started here would
use ($JUPYTERLAB_RUNS_URI, else the nearest ``.jupyterlab-runs/runs.db``). Re-running an import
or export copies only what is new. The summary ends with one ``warning:`` line per run left
out (damaged, or refused by the store) and per file that was missing, unreadable or outside
the folder. ``sync`` sends what waits in an MLflow server's offline outbox now and says what
is left.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .store import RunStore, StoreError, open_store, resolve_uri
from .store.redact import redact

FLUSH_SECONDS = 120  # then it says what is left (run it again, or let a server deliver it)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter-runs",
        description="Move runs between jupyterlab-runs stores and MLflow.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    imports = commands.add_parser(
        "import", help="copy MLflow experiments and runs into a store (the embedded one by default)"
    )
    imports.add_argument(
        "source", help="an mlruns/ folder, an MLflow database URI or file, or a server URL"
    )
    imports.add_argument("--into", metavar="URI", help="the store to import into")
    exports = commands.add_parser(
        "export", help="copy the embedded store's experiments and runs to an MLflow server"
    )
    exports.add_argument("--to", required=True, metavar="URI", help="the MLflow server URL")
    exports.add_argument("--from", dest="origin", metavar="URI", help="the store to export")
    for command in (imports, exports):
        command.add_argument(
            "--experiment",
            action="append",
            default=[],
            metavar="NAME",
            help="copy only this experiment (repeat for more)",
        )
        command.add_argument(
            "--no-artifacts", action="store_true", help="copy runs without their files"
        )
    info = commands.add_parser("info", help="show a store's experiments and run counts")
    info.add_argument("--uri", help="the store to show")
    sync = commands.add_parser(
        "sync", help="deliver the runs waiting in an MLflow server's offline outbox now"
    )
    sync.add_argument("--uri", help="the MLflow server URL")
    return parser


def _import(args: argparse.Namespace) -> None:
    from .store.transfer import import_runs

    uri = args.into or resolve_uri()
    print(redact(f"importing {args.source} into {uri}"))
    target = open_store(uri)
    try:
        report = import_runs(
            args.source,
            target,
            experiments=args.experiment,
            artifacts=not args.no_artifacts,
            progress=print,
        )
    finally:
        target.close()
    print(report)


def _export(args: argparse.Namespace) -> None:
    from .store.transfer import export_runs

    origin = args.origin or resolve_uri()
    if origin == args.to:
        raise SystemExit("jupyter-runs: error: --to names the store being exported")
    print(redact(f"exporting {origin} to {args.to}"))
    source, target = open_store(origin), open_store(args.to)
    try:
        report = export_runs(
            source,
            target,
            experiments=args.experiment,
            artifacts=not args.no_artifacts,
            progress=print,
        )
    finally:
        source.close()
        target.close()
    print(report)


def _info(args: argparse.Namespace) -> None:
    uri = args.uri or resolve_uri()
    store: RunStore = open_store(uri)
    try:
        experiments = store.list_experiments()
        print(redact(f"store: {uri} ({type(store).__name__})"))
        print(f"experiments: {len(experiments)}")
        for experiment in experiments:
            page = store.search_runs([experiment.id], max_results=1)
            runs = f"{'at least ' if page.total_is_lower_bound else ''}{page.total}"
            plural = "" if page.total == 1 and not page.total_is_lower_bound else "s"
            where = f"  [{experiment.notebook_path}]" if experiment.notebook_path else ""
            print(f"  {experiment.name}: {runs} run{plural}{where}")
    finally:
        store.close()


def _sync(args: argparse.Namespace) -> None:
    from .server.pending import sync_json

    store: RunStore = open_store(args.uri or resolve_uri())
    try:
        delivery = getattr(store, "delivery", None)
        if delivery is None:
            raise SystemExit("jupyter-runs: error: only an MLflow server's store has an outbox")
        delivery.flush(FLUSH_SECONDS)
        status = sync_json(store)
    finally:
        store.close()
    print(f"waiting to sync: {status['pending']} run(s); refused by the server: {status['failed']}")
    if status["last_error"]:
        print(f"last error: {status['last_error']}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; store errors print one line and exit with status 1."""
    args = _parser().parse_args(argv)
    command = {"import": _import, "export": _export, "info": _info, "sync": _sync}[args.command]
    try:
        command(args)
    except StoreError as error:
        print(redact(f"jupyter-runs: error: {error}"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
