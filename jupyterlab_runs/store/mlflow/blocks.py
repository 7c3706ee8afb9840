"""The default order over MLflow (newest version first), read a block of versions at a time.

MLflow's SQL store sorts by a tag (or metric) with a join that costs O(runs²) on SQLite, and
by start time — its only cheap order — runs do not come in version order. Versions are
gapless, so a page is read a block of BLOCK versions at a time (a LIKE on the zero-padded
version tag, which MLflow filters cheaply), each block sorted here (``version_page``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ..base import InvalidArgument, Page, Run
from .filter import matches, server_filters
from .mapping import TAG_VERSION_ORDER, version_order
from .pushdown import Fetch, Gather, in_turn
from .search import Query, decode_token, encode_token

BLOCK = 100  # versions per block: one LIKE pattern on the version tag, the last digits wildcarded


def block_condition(block: int, size: int | None = None) -> str:
    """MLflow's condition for the runs whose version lies in ``block`` (size × block + 0…,
    ``size`` a power of ten, BLOCK by default)."""
    size = size or BLOCK
    digits = len(str(size - 1))
    prefix = version_order(block * size)[:-digits]
    return f"tags.`{TAG_VERSION_ORDER}` LIKE '{prefix}{'_' * digits}'"


def _keyset(query: Query) -> tuple[int | None, int]:
    """The version the previous page ended at and the runs on earlier pages (None, 0 first)."""
    if not query.page_token:
        return None, 0
    try:
        kind, last, before = decode_token(query.page_token, query.fingerprint)
        valid = kind == "version" and all(
            isinstance(n, int) and 0 <= n < 2**53 for n in (last, before)
        )
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise InvalidArgument("page_token is not a token this store issued")
    return last, before


def _block_runs(
    fetch: Fetch,
    gather: Gather,
    filters: tuple[str, ...],
    block: int,
    size: int,
    below: int | None,
    need: int,
) -> tuple[list[Run], bool]:
    """The runs of ``block`` (of ``size`` versions), and whether some were left unread.

    ``below`` (None: unknown) is a version every version under which exists, since versions
    are gapless. For a search of every run, the ``need`` highest versions under it are then
    known before reading: ask MLflow for that many runs of the block by start time (its cheap
    order, usually the version order too) and keep them if they hold those versions;
    otherwise (a run started out of turn, a deleted one) read the whole block.
    """
    if below is not None:
        wanted = set(range(max(block * size, below - need), below))
        skipped = block * size + size - below  # already shown: above the page
        if len(wanted) < below - block * size:
            condition = block_condition(block, size)
            runs, _ = fetch(condition, [_BY_START], None, len(wanted) + skipped)
            if wanted <= {run.version for run in runs}:
                return runs, True
    windows = [" and ".join(filter(None, (c, block_condition(block, size)))) for c in filters]
    found: dict[str, Run] = {}
    for runs, _ in gather(
        [functools.partial(fetch, w, [_BY_START], None, 10 * size) for w in windows]
    ):
        found.update((run.id, run) for run in runs)
    return list(found.values()), False


_BY_START = "attributes.start_time DESC"


def _window(partial: bool, room: int, scanned: int, matched: int) -> int:
    """How many versions to read next: a block, or ten when the filter matched so few of the
    versions scanned that ten blocks would likely return at most twice the page's room.
    MLflow's LIKE scans every version tag whatever the window's width, so fewer, wider
    windows cost it less, but each run it returns costs it more than a scan does.
    """
    if partial or scanned < BLOCK // 2:
        return BLOCK
    return 10 * BLOCK if 5 * BLOCK * matched <= room * scanned else BLOCK


def version_page(
    query: Query,
    fetch: Fetch,
    newest: Callable[[], int | None],
    occupied: Callable[[int], bool],
    gather: Gather = in_turn,
) -> Page:
    """One page of one experiment, newest version first, without MLflow sorting the experiment.

    MLflow's SQL store sorts by a tag (or metric) with a join that costs O(runs²) on SQLite,
    and by start time — its only cheap order — runs do not come in version order. Versions are
    gapless, so the page is read a block of BLOCK versions at a time (a LIKE on the
    zero-padded version tag, which MLflow filters cheaply), each block sorted here; below the
    newest version only the runs the page needs are read when that can be checked
    (``_block_runs``). The first page starts at the block of the newest run, moving up while
    the next block holds runs (``occupied``, deleted ones included; asked while the block is
    read); the token holds the last version shown (a keyset). OR branches are read at once.
    """
    pushdown = server_filters(query.tree)
    last, before = _keyset(query)
    # Reading part of a block needs a search of every run MLflow can show one by one.
    partial = query.tree is None and query.view != "deleted"

    def read(block: int, below: int | None, need: int, size: int = BLOCK) -> tuple[list[Run], bool]:
        below = below if partial else None
        return _block_runs(fetch, gather, pushdown.filters, block, size, below, need)

    # Blocks read ahead, in the first page's one round trip: block → (need, (runs, unread)).
    ahead: dict[int, tuple[int, tuple[list[Run], bool]]] = {}
    if last is None:
        hint = newest()
        if hint is None:
            return Page(items=[], next_page_token=None, total=0)
        block = hint // BLOCK
        while True:
            # Probe the block above while reading this one and the part of the one below
            # that the page likely needs (the newest run's block holds hint % BLOCK + 1).
            guess = query.limit - (hint - block * BLOCK + 1) if hint >= block * BLOCK else 0
            calls = [
                functools.partial(occupied, block + 1),
                functools.partial(read, block, None, query.limit),
            ]
            if partial and guess > 0 and block > 0:
                calls.append(functools.partial(read, block - 1, block * BLOCK, guess))
            above, *found = gather(calls)
            if not above:
                ahead = {block - i: (guess if i else query.limit, r) for i, r in enumerate(found)}
                break
            block += 1
        upper, below = (block + 1) * BLOCK, None  # the top block: read whole
        ceiling = max(hint + 1, upper - BLOCK)  # the versions above the newest are few
    else:
        upper, below = last, last  # every version under ``below`` exists
        ceiling = last
    items: list[Run] = []
    later = scanned = matched = 0
    unread = False
    while upper > 0 and len(items) < query.limit:
        room = query.limit - len(items)
        size = _window(partial, room, scanned, matched)
        block = (upper - 1) // size
        need, found_ahead = ahead.pop(block, (0, None)) if size == BLOCK else (0, None)
        if found_ahead is not None and (room <= need or not found_ahead[1]):
            runs, unread = found_ahead
        else:
            runs, unread = read(block, below, room, size)
        chosen = [
            run
            for run in sorted(runs, key=lambda run: run.version, reverse=True)
            if run.version < upper and matches(query.tree, run)
        ]
        scanned += min(upper, ceiling) - block * size
        matched += len(chosen)
        upper = below = block * size
        items += chosen[:room]
        later += len(chosen[room:])
    full = len(items) == query.limit
    lower_bound = full and (upper > 0 or unread)
    token = None
    if later > 0 or lower_bound:
        token = encode_token([query.fingerprint, "version", items[-1].version, before + len(items)])
    total = before + len(items) + max(later, 1 if lower_bound else 0)
    return Page(items=items, next_page_token=token, total=total, total_is_lower_bound=lower_bound)
