"""search_runs pushed down to MLflow: its search filters, sorts and pages; we stream its pages.

MLflow's search evaluates AND filters on params, metrics, tags and attributes, sorts by
attributes, metrics and tags, and pages with its own tokens. So a query sends MLflow the
order (ours, then the zero-padded version tag, so ties break by version as in the embedded
store) and, for each OR branch of the filter, the conditions MLflow can spell
(``server_filters``). It reads MLflow's pages of each branch in that order, merges the
branches (a run found by two branches comes once), checks the whole filter here (NOT, our
attributes, numeric params, and the places where MLflow's matching is looser than ours), and
stops as soon as a page of ours is full: a page costs about one MLflow page per branch,
whatever the size of the experiment. Our page token holds MLflow's token and how far into
that MLflow page we got, for each branch.

MLflow has no count, so ``total`` counts the matches among the runs read so far (at least
``READ_AHEAD`` per page, so small searches count exactly), plus one when MLflow has more
pages; ``total_is_lower_bound`` then says it is "at least". Orders MLflow sorts
differently from us (params, which it sorts as text) take the fetch-everything path
(``search.Query``) instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from ..base import InvalidArgument, Page, Run
from ..filter import OrderKey
from .filter import Pushdown, identifier, matches, server_filters
from .mapping import TAG_VERSION_ORDER, hidden_tag
from .search import Query, decode_token, encode_token, position

# Runs read per MLflow page: at least READ_AHEAD, so the total of a small search is exact;
# LOCAL_BATCH when the filter is partly checked here, so few round trips find a page.
READ_AHEAD = 25
LOCAL_BATCH = 500
_ORDER_COLUMNS = {"start_time": "start_time", "end_time": "end_time", "name": "run_name"}

# (MLflow filter, order_by, MLflow page token, page size) → (runs, next MLflow page token)
Fetch = Callable[[str, list[str], str | None, int], tuple[list[Run], str | None]]
# Makes calls to MLflow at once and returns their results in order (RestClient.concurrently).
Gather = Callable[[Sequence[Callable[[], Any]]], list[Any]]


def in_turn(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """A Gather that makes the calls one after another."""
    return [call() for call in calls]


def server_order(order: OrderKey) -> list[str] | None:
    """MLflow's order_by for an order it sorts exactly as we do, or None."""
    direction = "DESC" if order.descending else "ASC"
    by_version = f"tags.`{TAG_VERSION_ORDER}` {direction}"
    if order.kind == "attribute":
        if order.key == "version":
            return [by_version]
        column = _ORDER_COLUMNS.get(order.key)
        return None if column is None else [f"attributes.{column} {direction}", by_version]
    if order.kind == "metric" or order.kind == "tag" and not hidden_tag(order.key):
        key = identifier(order.key)
        entity = "metrics" if order.kind == "metric" else "tags"
        return None if key is None else [f"{entity}.{key} {direction}", by_version]
    return None  # params: MLflow sorts their text, we sort numbers as numbers


@functools.total_ordering
class _Reversed:
    """A value that sorts in the opposite direction."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value

    def __lt__(self, other: _Reversed) -> bool:
        return other.value < self.value


def merge_key(run: Run, order: OrderKey) -> tuple:
    """Where MLflow sorts a run for this order: missing values (and NaN) last in both
    directions, ties by version, then start time descending and run id (MLflow's own)."""
    segment, value, version, run_id = position(run, order)
    if order.descending:
        value, version = _Reversed(value), _Reversed(version)
    if order.kind == "attribute" and order.key == "start_time":
        return (segment, value, version, run_id)
    return (segment, value, version, -run.start_time, run_id)


class _Stream:
    """One branch's MLflow search, read page by page from a saved place."""

    def __init__(self, fetch: Fetch, condition: str, order_by: list[str], place: list, size: int):
        self.fetch, self.condition, self.order_by, self.size = fetch, condition, order_by, size
        self.token, self.index = place
        self.batch: list[tuple[tuple, Run]] | None = None
        self.next_token: str | None = None

    def head(self, order: OrderKey, fetch: bool) -> tuple[tuple, Run] | None:
        """The next run of this branch with its merge key; None when the branch is done, or
        (``fetch`` false) when the runs read so far are."""
        while True:
            if self.batch is None:
                runs, self.next_token = self.fetch(
                    self.condition, self.order_by, self.token, self.size
                )
                self.batch = [(merge_key(run, order), run) for run in runs]
            if self.index < len(self.batch):
                return self.batch[self.index]
            if not self.next_token or not fetch:
                return None
            self.token, self.index, self.batch = self.next_token, 0, None

    def place(self) -> list:
        """Where to start again: an MLflow page token and how many of its runs to skip."""
        if self.batch is not None and self.index >= len(self.batch) and self.next_token:
            return [self.next_token, 0]
        return [self.token, self.index]


def _next(streams: list[_Stream], order: OrderKey, fetch: bool) -> Run | None:
    """The first run of the merged branches, taken from every branch that has it."""
    heads = [(head, stream) for stream in streams if (head := stream.head(order, fetch))]
    if not heads:
        return None
    _, run = min((head for head, _ in heads), key=lambda head: head[0])
    for head, stream in heads:
        if head[1].id == run.id:
            stream.index += 1  # the same run found by another branch comes once
    return run


def _places(query: Query, count: int) -> tuple[list[list], int, bool]:
    """The places in each branch, the runs on earlier pages and whether the previous page
    ended inside a run of ties, from the query's token."""
    if not query.page_token:
        return [[None, 0]] * count, 0, False
    try:
        kind, places, before, *tied = decode_token(query.page_token, query.fingerprint)
        valid = (
            kind == "pushed"
            and isinstance(places, list)
            and len(places) == count
            and all(
                isinstance(p, list)
                and len(p) == 2
                and (p[0] is None or isinstance(p[0], str))
                and isinstance(p[1], int)
                and 0 <= p[1] <= 100_000
                for p in places
            )
            and isinstance(before, int)
            and 0 <= before < 2**53
            and tied in ([], [True], [False])
        )
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise InvalidArgument("page_token is not a token this store issued")
    return places, before, bool(tied and tied[0])


def pushed_page(query: Query, order_by: list[str], fetch: Fetch, gather: Gather = in_turn) -> Page:
    """One page of ``query``, MLflow doing the filtering, sorting and paging it can.

    The version that breaks ties costs MLflow a second join, as slow as the first on its
    SQLite store (O(runs²)), and ties are rare in real values: so the page is first asked by
    the order alone, and asked again with the tie-break only if the runs it read hold two
    equal values (missing ones included) or the page ends inside such a run of ties. MLflow's
    page tokens are offsets, the same for both when no tie straddles a page's end.
    """
    pushdown = server_filters(query.tree)
    places, before, tied = _places(query, len(pushdown.filters))
    if len(order_by) > 1 and not tied:
        page = _page(query, pushdown, order_by[:1], fetch, gather, places, before, untied=True)
        if page is not None:
            return page
    page = _page(query, pushdown, order_by, fetch, gather, places, before, untied=False)
    assert page is not None
    return page


def _page(
    query: Query,
    pushdown: Pushdown,
    order_by: list[str],
    fetch: Fetch,
    gather: Gather,
    places: list[list],
    before: int,
    untied: bool,
) -> Page | None:
    """The page, read in ``order_by``; None if ``untied`` and it met a tie."""
    size = max(query.limit + untied, READ_AHEAD if pushdown.complete else LOCAL_BATCH)
    streams = [
        _Stream(fetch, condition, order_by, place, size)
        for condition, place in zip(pushdown.filters, places, strict=True)
    ]
    gather([functools.partial(stream.head, query.order, True) for stream in streams])
    items: list[Run] = []
    previous = None  # the (segment, value) of the last run read, to find ties
    while len(items) < query.limit and (run := _next(streams, query.order, True)):
        key = position(run, query.order)[:2]
        if key == previous and untied:
            return None
        previous = key
        if matches(query.tree, run):
            items.append(run)
    resume = [stream.place() for stream in streams]
    # The run after the page, from every branch: read on (untied) or unknown (tied, to be safe).
    following = [stream.head(query.order, untied) for stream in streams]
    ends_tied = any(
        position(head[1], query.order)[:2] == previous if head else bool(stream.next_token)
        for head, stream in zip(following, streams, strict=True)
    )
    if untied and ends_tied:
        return None
    # Count the matches among the runs already read; more may follow in unread MLflow pages.
    later = 0
    while len(items) == query.limit and (run := _next(streams, query.order, False)):
        later += matches(query.tree, run)
    unread = any(stream.next_token for stream in streams)
    token = None
    if later or unread:
        resume_at = [query.fingerprint, "pushed", resume, before + len(items), ends_tied]
        token = encode_token(resume_at)
    return Page(
        items=items,
        next_page_token=token,
        total=before + len(items) + max(later, 1 if unread else 0),
        total_is_lower_bound=unread,
    )
