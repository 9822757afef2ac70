"""The runs a person has marked in a list, to act on together: ids only, so a mark survives
the row's page being replaced, re-sorted or filtered away and back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class Marks:
    def __init__(self) -> None:
        self._ids: dict[str, None] = {}  # in the order they were marked

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._ids))

    def toggle(self, row_id: str) -> bool:
        """Mark the row, or unmark it if it was; whether it is marked now."""
        if row_id in self._ids:
            del self._ids[row_id]
            return False
        self._ids[row_id] = None
        return True

    def mark_all(self, row_ids: Iterable[str]) -> int:
        """Mark every one of these; unmark them all instead if every one was marked already.
        How many are marked afterwards."""
        ids = list(row_ids)
        if ids and all(i in self._ids for i in ids):
            for row_id in ids:
                self._ids.pop(row_id, None)
        else:
            self._ids.update(dict.fromkeys(ids))
        return len(self._ids)

    def clear(self) -> None:
        self._ids.clear()
