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
    lines = [line(table[0]), line(["-" * w for w in widths])]
    lines += [line(row) for row in table[1:]]
    lines.append("")
    lines.append(
        f"`python -m bench{' --quick' if document['mode'] == 'quick' else ''}`, "
        f"{document['finished']}, {document['seconds']:,.0f} s; MLflow {document['mlflow']}, "
        f"Python {machine['python']}, load average {load_average} at the end."
    )
    return "\n".join(lines)


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
