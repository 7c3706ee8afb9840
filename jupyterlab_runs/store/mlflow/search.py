"""search_runs over MLflow when MLflow cannot sort as we do (a param, which MLflow sorts as
text; our own attributes such as source): the server narrows, we filter, sort and page.

MLflow's run search has no count, pages by offset, compares params only as text and has no
OR, NOT or parentheses, and knows none of our attributes (version, source, …). So a query
fetches every run that MLflow's share of the filter selects (``server_filter``), evaluates
the whole filter here, sorts with the embedded store's rules (missing keys and NaN last in
both directions, ties by version) and cuts one keyset page from the result, so ``total`` is
exact. The cost grows with the runs the server-side part selects: fine for the thousands of
runs per experiment a tracking server usually holds, and the store caches a fetch for a few
seconds so paging through one query costs one fetch. Beyond ``MAX_FETCH`` runs the fetch
stops, and ``total`` counts what was fetched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Sequence
from typing import Any

from ..base import InvalidArgument, Page, Run
from ..filter import OrderKey, parse_filter, parse_order_by
from ..values import check_search_arguments, numeric_param_value
from .filter import attribute_value, matches, server_filter

MAX_FETCH = 100_000
MAX_TOKEN_LENGTH = 8192
RUN_VIEWS = {"active": "ACTIVE_ONLY", "deleted": "DELETED_ONLY", "all": "ALL"}

Position = tuple[int, Any, int, str]  # segment, sort value, version, run id


def position(run: Run, order: OrderKey) -> Position:
    """Where a run sorts: segment 0 holds values, later segments NaN, text params, missing."""
    segment, value = 0, None
    if order.kind == "attribute":
        value = attribute_value(run, order.key)
        segment = 0 if value is not None else 1
    elif order.kind == "metric":
        metric = run.metrics.get(order.key)
        if metric is None:
            segment = 2
        elif math.isnan(metric.value):
            segment = 1
        else:
            value = metric.value
    elif order.kind == "param":
        param = run.params.get(order.key)
        number = None if param is None else numeric_param_value(param)
        if param is None:
            segment = 2
        elif number is None:
            segment, value = 1, param.value
        else:
            value = number
    else:
        value = run.tags.get(order.key)
        segment = 0 if value is not None else 1
    return (segment, value, run.version, run.id)


def _after(candidate: Position, start: Position, descending: bool) -> bool:
    if candidate[0] != start[0]:
        return candidate[0] > start[0]
    mine = (0 if candidate[1] is None else candidate[1], *candidate[2:])
    theirs = (0 if start[1] is None else start[1], *start[2:])
    return mine < theirs if descending else mine > theirs


def ordered(runs: Sequence[Run], order: OrderKey) -> list[tuple[Position, Run]]:
    """The runs sorted: segments ascending, values then (version, id) in the order's direction."""
    segments: dict[int, list[tuple[Position, Run]]] = {}
    for run in runs:
        at = position(run, order)
        segments.setdefault(at[0], []).append((at, run))
    result = []
    for segment in sorted(segments):
        group = segments[segment]
        group.sort(key=lambda item: (0 if item[0][1] is None else item[0][1], *item[0][2:]))
        result += reversed(group) if order.descending else group
    return result


class Query:
    """One search_runs call: its checked arguments, MLflow's part, and the page it cuts."""

    def __init__(
        self,
        experiment_ids: Sequence[str],
        filter: str,
        order_by: Sequence[str],
        max_results: int,
        page_token: str | None,
        view: str,
    ):
        self.experiment_ids = check_search_arguments(experiment_ids, max_results, view)
        self.limit = max_results
        self.view = view
        self.tree = parse_filter(filter)
        self.order = parse_order_by(order_by)
        self.server_filter = server_filter(self.tree)
        raw = json.dumps([self.experiment_ids, filter, self.order, view], default=str)
        self.fingerprint = hashlib.sha256(raw.encode()).hexdigest()[:16]
        self.page_token = page_token

    def page(self, runs: Sequence[Run]) -> Page:
        """The page after the token among ``runs`` (every run MLflow's part selected)."""
        found = ordered([run for run in runs if matches(self.tree, run)], self.order)
        first = 0
        if self.page_token:
            start, descending = self._decode(self.page_token), self.order.descending
            later = (i for i, (at, _) in enumerate(found) if _after(at, start, descending))
            first = next(later, len(found))
        chosen = found[first : first + self.limit]
        more = first + self.limit < len(found)
        token = self._encode(chosen[-1][0]) if more and chosen else None
        return Page(items=[run for _, run in chosen], next_page_token=token, total=len(found))

    def _encode(self, at: Position) -> str:
        return encode_token([self.fingerprint, *at])

    def _decode(self, token: str) -> Position:
        try:
            segment, value, version, run_id = decode_token(token, self.fingerprint)
            valid = (
                isinstance(segment, int)
                and isinstance(version, int)
                and isinstance(run_id, str)
                and (value is None or isinstance(value, (str, int, float)))
            )
        except (ValueError, TypeError):
            valid = False
        if not valid:
            raise InvalidArgument("page_token is not a token this store issued")
        return (segment, value, version, run_id)


def encode_token(payload: list[Any]) -> str:
    """A page token holding ``payload`` (JSON, URL-safe base64)."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode_token(token: str, fingerprint: str) -> list[Any]:
    """What ``encode_token`` put in a token after the search's fingerprint; InvalidArgument
    for a token of another search, ValueError for anything that is no token of ours."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise ValueError("not a page token")
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (RecursionError, binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("not a page token") from error
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], str):
        raise ValueError("not a page token")
    if payload[0] != fingerprint:
        raise InvalidArgument("page_token belongs to a different search; start from the first page")
    return payload[1:]
