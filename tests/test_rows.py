"""The list model: pages keyed by id, fresh over stale, the filter."""

from __future__ import annotations

from closetui.lists.rows import Row, RowList


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


# -- a list longer than what memory keeps: the rows come back from the store ------------------


def _many(pages: int, size: int, seed: int = 3) -> list[list[Row]]:
    import random

    rng = random.Random(seed)
    words = ["acme", "globex", "initech", "umbrella", "hooli", "Ünïcode", "stark"]
    return [
        [
            Row(
                id=f"p{p}-{n}",
                name=(name := f"{rng.choice(words)} {rng.randrange(50)}"),
                key=name.casefold(),
                status=rng.choice(["active", "paused", "error", "Paused"]),
                steps=rng.randrange(5),
                span=None,
                updated=None,
                fetched_at=0.0,
            )
            for n in range(size)
        ]
        for p in range(pages)
    ]


def _filled(pages: list[list[Row]]) -> RowList[Row]:
    rows: RowList[Row] = RowList()
    rows.use_sort_keys([_by_status, _by_steps])
    for p, page in enumerate(pages):
        rows.put(p * len(page), page, fresh=True)
    return rows


def _by_status(row: Row) -> str:
    return row.status.casefold()


def _by_steps(row: Row) -> int:
    return row.steps


def test_a_scroll_through_more_than_memory_keeps_reads_every_row_back_once_in_order():
    from closetui.lists.rows import SLOTS_KEPT

    pages = _many(max(SLOTS_KEPT * 3, 120), 25)  # p100 below is one of them
    rows = _filled(pages)
    expected = [(r.id, r.name, r.status) for page in pages for r in page]
    for _ in range(2):  # down, then again from the top: every slot was evicted in between
        seen = [(r.id, r.name, r.status) for r in (rows.visible(i) for i in range(len(rows)))]
        assert seen == expected
    backwards = [rows.visible(i).id for i in reversed(range(len(rows)))]
    assert backwards == [e[0] for e in reversed(expected)]
    assert rows.visible_index_of("p100-7") == 100 * 25 + 7
    assert rows.get("p3-4") is not None and rows.get("p3-4").name == pages[3][4].name


def test_the_filter_over_the_store_equals_the_filter_over_memory():
    from closetui.lists.query import parse

    pages = _many(120, 30, seed=11)
    every = [r for page in pages for r in page]
    rows = _filled(pages)
    for text in ("acme", "ünïcode", "status:paused", "status:error,active stark 1", "zzz", ""):
        rows.set_filter(text)
        while rows.search(budget=200):  # in small steps, as the app does it between frames
            pass
        query = parse(text)
        expected = [r.id for r in every if query.matches(r)] if query else [r.id for r in every]
        assert [rows.visible(i).id for i in range(rows.visible_count)] == expected, text
        if expected:
            assert rows.visible_index_of(expected[len(expected) // 2]) == len(expected) // 2


def test_a_sorted_view_read_in_any_order_equals_a_stable_sort():
    import random

    pages = _many(150, 20, seed=5)
    every = [r for page in pages for r in page]
    rows = _filled(pages)
    rng = random.Random(1)
    for key in (_by_status, _by_steps):
        for descending in (False, True):
            for text in ("", "acme"):
                rows.set_filter(text)
                rows.set_sort(key, descending=descending)
                chosen = [r for r in every if text in r.key]
                expected = [r.id for r in sorted(chosen, key=key, reverse=descending)]
                count = rows.visible_count
                assert count == len(expected)
                order = list(range(count))
                shown = [rows.visible(i).id for i in order]  # forward, block after block
                assert shown == expected
                rows.set_sort(key, descending=descending)  # nothing read yet
                shown = [rows.visible(i).id for i in reversed(order)][::-1]  # from the end
                assert shown == expected
                rows.set_sort(key, descending=descending)
                for i in rng.sample(order, min(60, count)):  # jumps
                    assert rows.visible(i).id == expected[i]
                probe = expected[count // 3]
                assert rows.visible_index_of(probe) == count // 3
    rows.set_sort(None)
    rows.set_filter("")
    assert [rows.visible(i).id for i in range(len(rows))] == [r.id for r in every]


def test_a_page_replaced_in_the_middle_keeps_the_store_and_the_counts_in_step():
    pages = _many(80, 10, seed=2)
    rows = _filled(pages)
    rows.set_filter("status:paused")
    while rows.search(budget=50):
        pass
    replacement = [
        Row(f"new{n}", "new", "new", "paused", 1, None, None, 0.0) for n in range(4)
    ] + pages[41][:3]
    rows.put(410, replacement, fresh=True)
    every = [r for p, page in enumerate(pages) for r in (replacement if p == 41 else page)]
    expected = [r.id for r in every if r.status.casefold() == "paused"]
    assert [rows.visible(i).id for i in range(rows.visible_count)] == expected
    rows.set_filter("")
    assert rows.ids() == [r.id for r in every]
    assert len(rows) == len(every)


def test_while_a_long_list_is_searched_what_shows_is_the_first_matches_in_order(monkeypatch):
    import closetui.lists.rows

    monkeypatch.setattr(closetui.lists.rows, "SEARCH_ROWS", 100)  # a long list, in miniature
    monkeypatch.setattr(closetui.lists.rows, "FIRST_SCREEN", 5)
    pages = _many(60, 20, seed=8)
    expected = [r.id for page in pages for r in page if "acme" in r.key]
    rows = _filled(pages)
    rows.set_filter("acme")
    shown_counts = []
    while True:
        count = rows.visible_count
        shown_counts.append(count)
        assert [rows.visible(i).id for i in range(count)] == expected[:count]  # a prefix
        if not rows.search():
            break
    assert rows.visible_count == len(expected) and not rows.searching
    assert len(shown_counts) > 3 and shown_counts == sorted(shown_counts)


def _with_status(row: Row, status: str) -> Row:
    row.status = status
    return row


def test_a_fresh_page_says_which_rows_it_changed_the_status_of_and_what_it_was():
    rows = RowList()
    rows.put(0, _rows("a", "b"), fresh=False)  # from the cache
    assert rows.status_changes == []
    rows.put(2, _rows("c", "d"), fresh=True)  # a first load changes nothing
    assert rows.status_changes == []
    b, c = _with_status(_rows("b")[0], "error"), _with_status(_rows("c")[0], "Paused")
    rows.put(0, [*_rows("a"), b, *_rows("new")], fresh=True)  # over the cached page
    assert [(row.id, before) for row, before in rows.status_changes] == [
        ("b", "active"),
        ("new", None),  # new to a page the list held
    ]
    rows.put(2, [c, *_rows("d")], fresh=True)
    assert [(row.id, before) for row, before in rows.status_changes] == [("c", "active")]
    rows.put(0, [*_rows("a"), _with_status(_rows("b")[0], "error")], fresh=True)
    assert rows.status_changes == []  # still in error: nothing changed
    rows.put(0, [_with_status(_rows("a")[0], "error")], fresh=False)  # the cache says nothing
    assert rows.status_changes == []
