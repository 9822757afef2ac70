"""The fault matrix: every failure the demo server can produce, at start-up and in the middle
of paging, against the real app over loopback HTTP. Each row checks what the person sees, that
the app still answers keys, that nothing cached was lost, that no traceback reached the screen,
that it recovers when the fault goes, and that the key appears nowhere.

Each row is recorded as a test property, and conftest prints them as a table at the end of the
run (with or without xdist workers).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from closetui.textsafe import truncate
from tests.support.app import screen_text, settle, wait_until

KEY = "api_FAULT_matrix_secret_7c1e2b9f"
# Control characters that could drive a terminal (tab and newline aside: the screen has them).
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Case:
    name: str
    fault: dict[str, Any]
    sees: str | None  # text the person sees while it lasts (None: nothing to report)
    recovers: bool = True
    after: str | None = None  # text once the fault is gone and r was pressed (or on its own)
    toast: str | None = None  # text a toast (or the screen) must say while it lasts
    limits: dict[str, Any] = field(default_factory=dict)  # the client's size cap, deadline
    phases: tuple[str, ...] = ("start", "paging")
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("401 (key revoked)", {"kind": "status", "status": 401}, "API key was refused", False),
    Case("403 (not allowed)", {"kind": "status", "status": 403}, "API key was refused", False),
    Case("429 once", {"kind": "status", "status": 429, "retry_after": 0.3, "times": 1}, None),
    Case(
        "429 storm (2 s)",
        {"kind": "status", "status": 429, "retry_after": 0.2, "times": None, "seconds": 2.0},
        "rate limited, retrying in",
    ),
    *[
        Case(f"{code}", {"kind": "status", "status": code, "times": None}, "failed: r to retry")
        for code in (500, 502, 503, 504)
    ],
    Case(
        "read timeout",
        {"kind": "hang", "seconds": 3.0, "times": None},
        "Offline: the network is unreachable",
        after="Back online",
    ),
    Case(
        "dropped connection",
        {"kind": "drop", "times": None},
        "Offline: the network is unreachable",
        after="Back online",
    ),
    Case("malformed JSON", {"kind": "malformed", "times": None}, "failed: r to retry"),
    Case("JSON of the wrong shape", {"kind": "wrong_shape", "times": None}, "failed: r to retry"),
    Case("empty body, JSON type", {"kind": "empty", "times": None}, "failed: r to retry"),
    Case("redirect loop", {"kind": "redirect_loop", "times": None}, "failed: r to retry"),
    Case(
        "has_more with no items",
        {"kind": "empty_page", "times": None},
        "stopped: 3 pages brought nothing new",
        phases=("paging",),  # an empty first page that says "more" is the same row
    ),
    Case(
        "the first page again, for ever",
        {"kind": "same_page", "times": None},
        "stopped: 3 pages brought nothing new",
        phases=("paging",),
    ),
    Case("duplicated ids", {"kind": "duplicate_ids", "times": 1}, None),
]


def _inert(app) -> None:
    """Nothing from the network reached the terminal able to drive it."""
    for text in [screen_text(app), *(n.message + n.title for n in app.told)]:
        assert not CONTROLS.search(text), repr(CONTROLS.search(text))


def _secrets_absent(app, tmp_path) -> None:
    needles = [KEY, base64.b64encode(f"{KEY}:".encode()).decode(), KEY[4:24], KEY.upper()]
    texts = [screen_text(app), app.export_screenshot()]
    texts += [n.message for n in app.told]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    for text in texts:
        for needle in needles:
            assert needle not in text


def rows(cases: list[Case]) -> list[Any]:
    """Each case at each phase it names."""
    return [
        pytest.param(case, phase, id=f"{case.name}-{phase}")
        for case in cases
        for phase in case.phases
    ]


@pytest.mark.parametrize(("case", "phase"), rows(CASES))
async def test_fault(make_app, server, tmp_path, record_property, case: Case, phase: str):
    await run_row(make_app, server, tmp_path, record_property, case, phase)


async def run_row(make_app, server, tmp_path, record_property, case: Case, phase: str) -> None:
    """One row of the matrix: `case`'s fault switched on at start-up or mid-paging."""
    server.router.api_key = KEY
    # List requests only (a detail request has no _limit). Mid-paging, the fault is switched
    # on once page 0 is in, so it meets the next page.
    where = {"path": "sequence/", "query": {"_limit": "100"}}
    app = make_app(key=KEY, timeout=0.5, **case.limits)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        if phase == "start":
            server.faults.add(**case.fault, **where)
            await pilot.pause()
        else:
            await settle(pilot)
            assert app.main.sequences.loaded == 100
            server.faults.add(**case.fault, **where)
            await pilot.press("end")
        if case.sees:
            await wait_until(pilot, lambda: case.sees in screen_text(app), timeout=15)
        else:
            await settle(pilot)
        seen = case.sees or "nothing (handled quietly)"
        if case.toast:
            await wait_until(
                pilot,
                lambda: (
                    any(case.toast in n.message for n in app.told) or case.toast in screen_text(app)
                ),
            )
            seen += f" ({truncate(case.toast, 36)})"
        _inert(app)
        if "most_429s" in case.extra:
            await settle(pilot)
            assert 0 < server.router.statuses.count(429) <= case.extra["most_429s"]

        # Still answering keys: close a modal if there is one, then move and open help.
        if app.screen is not app.screen_stack[0]:
            await pilot.press("escape")
        await pilot.press("question_mark")
        assert "list.filter" in screen_text(app)
        await pilot.press("escape")
        if app.main.sequences.loaded > 1:
            before = app.main.sequence_list.cursor
            await pilot.press("up" if before else "down")
            assert app.main.sequence_list.cursor != before

        # Nothing cached was lost, and nothing reached the screen that should not.
        if phase == "paging":
            assert app.session.cache.sequence_count() >= 100
            assert app.main.sequences.loaded >= 100
        assert "Traceback" not in screen_text(app)
        ids = app.main.sequences.ids()
        assert len(ids) == len(set(ids))

        outcome = "recovers"
        server.faults.clear()
        if case.recovers:
            if case.after is None:
                await pilot.press("r")
            await wait_until(
                pilot,
                lambda: (
                    app.main.sequences.loaded >= (100 if phase == "start" else 200)
                    and (case.after is None or case.after in screen_text(app))
                ),
                timeout=15,
            )
            await settle(pilot)
            assert "failed: r to retry" not in screen_text(app)
        else:
            outcome = "stays refused (a revoked key is not retried)"
        _secrets_absent(app, tmp_path)
        _inert(app)
        assert app.is_running
    record_property("fault_matrix", (f"{case.name} at {phase}", seen, outcome))


async def test_a_404_on_a_detail_keeps_the_cached_detail(
    make_app, server, tmp_path, record_property
):
    server.router.api_key = KEY
    server.faults.add("status", status=404, path="sequence/seq_", times=None)
    app = make_app(key=KEY)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        detail = app.main.detail.text
        assert "Day 1" in detail and "Day 4" in detail  # from the list's copy of it
        assert "Enrolled" not in detail  # the counts the detail call would have added
        assert "Traceback" not in screen_text(app)
        await pilot.press("down")
        await settle(pilot)
        assert app.main.detail.showing == app.main.sequences.in_order()[1].id
        _secrets_absent(app, tmp_path)
    record_property(
        "fault_matrix", ("404 on a detail", "the detail from the list, no counts", "carries on")
    )


async def test_an_unexpected_error_goes_to_the_log_not_the_screen(
    make_app, server, tmp_path, monkeypatch
):
    from closetui.lists.source import SequenceSource
    from closetui.logs import setup_logging

    original = SequenceSource.fetch_page

    async def broken(self, skip):
        if skip == 100:
            raise RuntimeError("a bug in closetui")
        return await original(self, skip)

    monkeypatch.setattr(SequenceSource, "fetch_page", broken)
    server.router.api_key = KEY
    app = make_app(key=KEY)
    app.log_path = setup_logging(tmp_path / "logs")
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        text = screen_text(app)
        assert "Traceback" not in text and "a bug in closetui" not in text
        assert any(str(app.log_path) in n.message for n in app.told)
        assert "failed: r to retry" in text  # not "loading…" for ever
        assert app.is_running
    logged = app.log_path.read_text()
    assert "a bug in closetui" in logged and "Traceback" in logged
    assert KEY not in logged
