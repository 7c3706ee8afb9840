"""Copy the figures of ``bench/results/latest.json`` into README.md's benchmark table.

The table sits between the ``<!-- bench:start -->`` and ``<!-- bench:end -->`` lines; nothing
else in the README changes.

    python bench/readme_table.py [--results bench/results/latest.json] [--readme README.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results import HEADER, RESULTS, cells, load  # noqa: E402

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def markdown(document: dict, rows: list) -> str:
    """The README's table: one line per row, then where and when it was measured."""

    rows_text = [HEADER, *map(cells, rows)]
    table = [[v.strip().replace("|", "\\|") for v in values] for values in rows_text]
    # Padded as Prettier pads a table, so the generated README passes `prettier --check`.
    widths = [max(3, *(len(row[i]) for row in table)) for i in range(len(HEADER))]

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    machine = document["machine"]
    load_average = ", ".join(f"{x:g}" for x in machine["load_average"])
    lines = [caption(document, rows), ""]
    lines += [line(table[0]), line(["-" * w for w in widths])]
    lines += [line(row) for row in table[1:]]
    lines.append("")
    lines.append(
        f"`python -m bench{' --quick' if document['mode'] == 'quick' else ''}`, "
        f"{document['finished']}, {document['seconds']:,.0f} s; MLflow {document['mlflow']}, "
        f"Python {machine['python']}, load average {load_average} at the end."
    )
    ran = document.get("workloads", [])
    if ran:
        times = ", ".join(f"{w['name']} {w['seconds']:,.0f} s" for w in ran)
        lines.append(f"Time per workload: {times}.")
    return "\n".join(lines)


def caption(document: dict, rows: list) -> str:
    """The line above the table: the run's total time against its budget, and what it missed."""
    command = f"python -m bench{' --quick' if document['mode'] == 'quick' else ''}"
    ran = document.get("workloads", [])
    planned = document.get("planned", [w["name"] for w in ran])
    done = f"{len(ran)} of {len(planned)} workloads in " if planned else ""
    if not document.get("complete", True):
        done = f"cut off after {done}"
    budget = document.get("budget_seconds")
    limit = f" (budget {budget:,.0f} s)" if budget else ""
    missed = sum(r.met is False for r in rows)
    judged = sum(r.met is not None for r in rows)
    return (
        f"**`{command}`: {done}{document['seconds']:,.0f} s{limit}; "
        f"{missed} of {judged} targets missed.**"
    )


def replace_table(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise SystemExit(f"README needs exactly one {START} line and one {END} line")
    head, rest = readme.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n\n{table}\n{END}{tail}"


def main(argv: list[str] | None = None) -> None:
    """Rewrite the README's table from the results file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--readme", type=Path, default=HERE.parent / "README.md")
    args = parser.parse_args(argv)
    document, rows = load(args.results)
    args.readme.write_text(replace_table(args.readme.read_text(), markdown(document, rows)))
    print(f"{args.readme}: {len(rows)} rows from {args.results}")


if __name__ == "__main__":
    main()
