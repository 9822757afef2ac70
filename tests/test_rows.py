"""The list model: pages keyed by id, fresh over stale, the filter."""

from __future__ import annotations

from closetui.rows import Row, RowList


def _rows(*ids: str) -> list[Row]:
    return [Row(i, f"name {i}", f"name {i}", "active", 1, 0, None, 0.0) for i in ids]


def test_a_repeat_from_shifted_offsets_is_dropped():
    rows = RowList()
    rows.put(0, _rows("a", "b", "c"), fresh=True)
    dropped = rows.put(3, _rows("c", "d", "e"), fresh=True)
    assert dropped == 1
    assert rows.ids() == ["a", "b", "c", "d", "e"]


def test_a_fresh_page_replaces_its_cached_slot_and_wins_over_stale_copies():
    rows = RowList()
    rows.put(0, _rows("a", "b", "c"), fresh=False)
    rows.put(3, _rows("d", "e", "f"), fresh=False)
    # Upstream: "new" was created at the head, so everything moved one down.
    rows.put(0, _rows("new", "a", "b"), fresh=True)
    assert rows.ids() == ["new", "a", "b", "d", "e", "f"]
    rows.put(3, _rows("c", "d", "e"), fresh=True)
    assert rows.ids() == ["new", "a", "b", "c", "d", "e"]
    assert rows.get("f") is None and "f" not in rows.ids()  # its slot now holds c, d, e


def test_stale_slots_go_after_a_complete_pass():
    rows = RowList()
    rows.put(0, _rows("a", "b"), fresh=False)
    rows.put(2, _rows("c", "d"), fresh=False)
    rows.put(0, _rows("a", "b"), fresh=True)
    assert rows.drop_stale() == 2
    assert rows.ids() == ["a", "b"]


def test_the_filter_follows_appends_and_keeps_positions():
    rows = RowList()
    rows.put(0, _rows("a1", "b2", "a3"), fresh=True)
    rows.set_filter("NAME A")
    assert [r.id for r in rows.visible_rows(0, 10)] == ["a1", "a3"]
    rows.put(3, _rows("a4", "b5"), fresh=True)
    assert rows.visible_count == 3
    assert rows.visible_index_of("a4") == 2
    assert rows.visible_index_of("b5") is None
    rows.set_filter("")
    assert rows.visible_count == 5


def test_drop_after_forgets_slots_past_a_shorter_end():
    rows = RowList()
    for skip in (0, 2, 4):
        rows.put(skip, _rows(f"x{skip}", f"y{skip}"), fresh=False)
    rows.drop_after(2)
    assert rows.ids() == ["x0", "y0", "x2", "y2"]
    assert rows.get("x4") is None


def _status_rows(*pairs):
    return [
        Row(id=i, name=i, key=i.casefold(), status=s, steps=0, span=None, updated=None,
            fetched_at=0.0)
        for i, s in pairs
    ]  # fmt: skip


def test_status_terms_and_text_filter_together():
    rows = RowList()
    rows.put(0, _status_rows(("Acme a", "active"), ("Acme b", "paused"), ("Other", "paused")),
             fresh=True)  # fmt: skip
    rows.set_filter("status:paused acme")
    assert [r.id for r in rows.visible_rows(0, 10)] == ["Acme b"]
    rows.set_filter("status:active,paused")
    assert rows.visible_count == 3
    rows.set_filter("status:PAUSED")
    assert [r.id for r in rows.visible_rows(0, 10)] == ["Acme b", "Other"]
    rows.put(3, _status_rows(("New", "paused"), ("Gone", "error")), fresh=True)
    assert [r.id for r in rows.visible_rows(0, 10)] == ["Acme b", "Other", "New"]


def test_a_sort_places_rows_that_arrive_later_as_a_full_sort_would():
    import random

    rng = random.Random(7)
    rows = RowList()
    rows.set_sort(lambda r: r.status, descending=True)
    for page in range(20):
        statuses = [rng.choice("abcdef") for _ in range(10)]
        rows.put(page * 10, _status_rows(*((f"r{page}-{n}", s) for n, s in enumerate(statuses))),
                 fresh=True)  # fmt: skip
    shown = [r.id for r in rows.visible_rows(0, 1000)]
    every = sorted(rows.rows, key=lambda r: r.status, reverse=True)  # stable: API order in ties
    assert shown == [r.id for r in every]
    assert rows.visible_index_of(shown[37]) == 37
    rows.set_filter("status:c")
    assert all(r.status == "c" for r in rows.visible_rows(0, 1000))
    rows.set_sort(None)
    rows.set_filter("")
    assert [r.id for r in rows.visible_rows(0, 1000)] == rows.ids()
