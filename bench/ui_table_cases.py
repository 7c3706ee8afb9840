"""B6: the page queries the runs table sends, timed in process and over REST beside MLflow's.

The issue's four — the first page, a sort by a metric, a param equality plus a metric order,
page 1,000 by its token — plus the table's next page by token and the page at a far row by
offset (the scrollbar jump of B7). A deep page's token comes from the offset seek (one
request for the row before it) instead of walking a thousand pages; MLflow's page token *is*
an offset, so its token is made with MLflow's own ``SearchUtils.create_page_token``. MLflow
has no other offset, so its "by offset" rows use that token too.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass

FIRST = 50  # the table's first page is smaller, to paint sooner (RunsQuery.firstPageSize)
PAGE = 100  # the table's default page size (schema/table.json)
SORT = "metrics.m0 DESC"
EQUALS = "params.p1 = 'w3'"  # one run in ten (bench_store.WORDS)
SEARCH = "/api/2.0/mlflow/runs/search"


@dataclass(frozen=True)
class Case:
    """One page query: its order and filter, its size, the row it starts at and how it gets
    there (``first`` page, a ``token`` for the row, or an ``offset``)."""

    label: str
    order: tuple[str, ...] = ()
    filter: str = ""
    size: int = PAGE
    start: int = 0
    by: str = "first"


def cases(runs: int) -> list[Case]:
    """The cases at this size: page 1,000 (or the middle page of a smaller store) and the
    row nine tenths of the way down."""
    deep = min(1000, runs // PAGE // 2)
    far = runs * 9 // 10
    return [
        Case(f"first page ({FIRST} runs), version DESC", size=FIRST),
        Case(f"next page ({PAGE} runs) by its token", start=FIRST, by="token"),
        Case(f"sort by {SORT}: first page ({FIRST} runs)", (SORT,), size=FIRST),
        Case(f"{EQUALS}, {SORT}: first page ({PAGE} runs)", (SORT,), EQUALS),
        Case(f"page {deep:,} ({PAGE} runs) by its token", start=(deep - 1) * PAGE, by="token"),
        Case(f"page at row {far:,} by offset, version DESC", start=far, by="offset"),
        Case(f"page at row {far:,} by offset, {SORT}", (SORT,), start=far, by="offset"),
    ]


def ours_in_process(store, experiment_id: str, case: Case) -> Callable[[], object]:
    """The call our store answers for ``case`` (its token fetched beforehand)."""
    search = [experiment_id], case.filter, list(case.order)
    token = None
    if case.by == "token":
        before = store.search_runs(*search, 1, offset=case.start - 1, summary=True)
        token = before.next_page_token
    offset = case.start if case.by == "offset" else 0
    return lambda: store.search_runs(*search, case.size, token, summary=True, offset=offset)


def ours_rest(get: Callable[[list], bytes], experiment_id: str, case: Case) -> Callable[[], bytes]:
    """The GET runs request the table sends for ``case``; ``get(query)`` sends one."""
    query = [("experiment_ids", experiment_id), ("fields", "summary")]
    query += [("order_by", o) for o in case.order]
    query += [("filter", case.filter)] if case.filter else []
    if case.by == "token":
        before = json.loads(get([*query, ("max_results", 1), ("offset", case.start - 1)]))
        query.append(("page_token", before["next_page_token"]))
    elif case.by == "offset":
        query.append(("offset", case.start))
    query.append(("max_results", case.size))
    return lambda: get(query)


def ours_url(base: str, query: list) -> str:
    """Our runs URL for a query."""
    return f"{base}/jupyterlab-runs/api/runs?{urllib.parse.urlencode(query)}"


def mlflow_token(case: Case, runs: int) -> str | None | bool:
    """MLflow's page token for ``case`` (None: the first page; False: past MLflow's runs)."""
    from mlflow.utils.search_utils import SearchUtils

    if case.start >= runs:
        return False
    return SearchUtils.create_page_token(case.start).decode() if case.start else None


def mlflow_body(experiment_id: str, case: Case, token: str | None) -> dict:
    """The body of MLflow's POST runs/search for ``case``."""
    body = {
        "experiment_ids": [experiment_id],
        "filter": case.filter,
        "max_results": case.size,
        "order_by": list(case.order),
        "run_view_type": "ACTIVE_ONLY",
    }
    return body | ({"page_token": token} if token else {})


def mlflow_in_process(store, experiment_id: str, case: Case, token: str | None):
    """SqlAlchemyStore.search_runs for ``case``."""
    from mlflow.entities import ViewType

    return lambda: store.search_runs(
        [experiment_id], case.filter, ViewType.ACTIVE_ONLY, case.size, list(case.order), token
    )


def to_json(case: Case) -> dict:
    """A case for a child process's command line."""
    return asdict(case)


def from_json(data: dict) -> Case:
    """A case read back from ``to_json``."""
    return Case(**{**data, "order": tuple(data["order"])})
