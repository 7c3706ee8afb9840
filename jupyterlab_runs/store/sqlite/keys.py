"""Interned key ids: every param, metric and tag key is stored once and referenced by integer."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable


class KeyRegistry:
    """A per-process cache of key ids, filled only from committed data.

    Ids never change once committed, so cached entries stay valid forever; ids created inside a
    write transaction are remembered only after it commits (see ``KeyBatch``).
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}
        self._names: dict[int, str] = {}
        self._links: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def lookup(
        self, conn: sqlite3.Connection, refs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        """Ids of existing (kind, name) keys; keys that do not exist are absent."""
        wanted = set(refs)
        found = {ref: self._ids[ref] for ref in wanted if ref in self._ids}
        for kind in {kind for kind, _ in wanted - found.keys()}:
            names = [name for k, name in wanted - found.keys() if k == kind]
            rows = conn.execute(
                "SELECT name, id FROM keys WHERE kind = ? AND name IN "
                "(SELECT value FROM json_each(?))",
                (kind, json.dumps(names)),
            ).fetchall()
            fetched = {(kind, name): key_id for name, key_id in rows}
            self.remember(fetched, ())
            found.update(fetched)
        return found

    def names(self, conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
        """Names of key ids (read from committed data)."""
        wanted = set(ids)
        missing = [key_id for key_id in wanted if key_id not in self._names]
        if missing:
            rows = conn.execute(
                "SELECT kind, name, id FROM keys WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(missing),),
            ).fetchall()
            self.remember({(kind, name): key_id for kind, name, key_id in rows}, ())
        return {key_id: self._names[key_id] for key_id in wanted if key_id in self._names}

    def remember(self, ids: dict[tuple[str, str], int], links: Iterable[tuple[str, int]]) -> None:
        """Cache committed key ids and (experiment, key) links."""
        with self._lock:
            self._ids.update(ids)
            self._names.update({key_id: name for (_, name), key_id in ids.items()})
            self._links.update(links)

    def is_linked(self, experiment_id: str, key_id: int) -> bool:
        """Whether the experiment is known to use the key already."""
        return (experiment_id, key_id) in self._links


class KeyBatch:
    """Key interning inside one write transaction; hand it to ``KeyRegistry.remember`` after."""

    def __init__(self, registry: KeyRegistry, conn: sqlite3.Connection):
        self.registry = registry
        self.conn = conn
        self.ids: dict[tuple[str, str], int] = {}
        self.links: set[tuple[str, int]] = set()

    def find(self, kind: str, names: Iterable[str]) -> dict[str, int]:
        """Ids of the existing keys among these names of one kind."""
        names = list(dict.fromkeys(names))
        # Keys this transaction created are looked up here first: the registry may cache only
        # what the SELECT finds beyond them, which is committed data.
        result = {name: self.ids[(kind, name)] for name in names if (kind, name) in self.ids}
        known = self.registry.lookup(self.conn, ((kind, n) for n in names if n not in result))
        result.update({name: known[(kind, name)] for name in names if (kind, name) in known})
        return result

    def intern(self, kind: str, names: Iterable[str]) -> dict[str, int]:
        """Ids of these keys of one kind, creating the missing ones."""
        names = list(dict.fromkeys(names))
        result = self.find(kind, names)
        for name in names:
            if name not in result:
                result[name] = self.conn.execute(
                    "INSERT INTO keys (kind, name) VALUES (?, ?) RETURNING id", (kind, name)
                ).fetchone()[0]
                self.ids[(kind, name)] = result[name]
        return result

    def link(self, experiment_id: str, key_ids: Iterable[int]) -> None:
        """Record that the experiment uses these keys (for ``list_keys``)."""
        pairs = [
            (experiment_id, key_id)
            for key_id in set(key_ids)
            if not self.registry.is_linked(experiment_id, key_id)
        ]
        if pairs:
            self.conn.executemany(
                "INSERT OR IGNORE INTO experiment_keys (experiment_id, key_id) VALUES (?, ?)",
                pairs,
            )
            self.links.update(pairs)

    def commit(self) -> None:
        """Cache what this batch created; call only after the transaction committed."""
        self.registry.remember(self.ids, self.links)
