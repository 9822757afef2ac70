"""Hostile input: any JSON in any field, and hostile text in every field the app shows."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from closetui.cli import main
from closetui.close.models import EmailTemplate, Sequence, SmsTemplate, Subscription, User
from closetui.demo.data import (
    DEMO_API_KEY,
    HOSTILE_INDEX,
    HOSTILE_START,
    SEED_SEQUENCE,
    USERS,
)
from closetui.errors import ProtocolError
from closetui.lists.runs import subscription_row
from closetui.lists.source import row_from_summary, summarize
from closetui.names.lookups import template_info
from closetui.present.cadence import format_span
from closetui.present.sheet import Names, plain, sequence_sheet
from closetui.textsafe import inert
from tests.support.app import screen_text, settle
from tests.support.contract import load

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
SUBSCRIPTION = {"id": "sub_1", "sequence_id": "seq_1", "status": "active", "calls_assigned_to": []}
BASES = [
    (Sequence, SEED_SEQUENCE),
    (Subscription, SUBSCRIPTION),
    (User, USERS[0]),
    (EmailTemplate, {"id": "tmpl_1", "name": "n", "subject": "s", "body": "b"}),
    (SmsTemplate, {"id": "smstmpl_1", "name": "n", "text": "t", "status": "active"}),
]
CONTROL = ("\x1b", "\u202e", "\u202a", "\x07", "\u200b")


def _paths(value: object, path: tuple = ()) -> list[tuple]:
    """Every place in a JSON document a value can be put: each key and list position, at
    every depth."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((*path, key))
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found.append((*path, i))
            found += _paths(inner, (*path, i))
    return found


def _put(doc: object, path: tuple, value: object) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


def _renders(model: type, parsed: object) -> None:
    """What a person would see of the object: its list row, the detail and `show`'s text,
    or its subscription row."""
    if model is Sequence:
        row = row_from_summary(summarize(parsed), 0)
        assert row.id == parsed.id and isinstance(row.name, str)
        format_span(row.span)
        names = Names(users={parsed.created_by_id or "": "x"})
        text = plain(sequence_sheet(parsed, names, counts=parsed.subscription_counts))
        assert "Cadence" in text
    elif model is Subscription:
        row = subscription_row(parsed, 0)
        assert isinstance(row.contact, str) and isinstance(row.started, str)
    elif model is User:
        assert isinstance(parsed.display_name, str)
    elif model is EmailTemplate:
        template_info("email_template", parsed.id, {"id": parsed.id, "name": parsed.name})
    else:
        template_info("sms_template", parsed.id, {"id": parsed.id, "text": parsed.text})


DOCUMENTED = [
    (Sequence, load("sequence-create.json")),  # has a schedule, unlike the list's example
    (Sequence, load("sequence-get.json")),
    (Subscription, load("sequence-subscription-paused.json")),
    (User, load("me.json")),
    (User, load("user-get.json")),
    (EmailTemplate, load("email-template-get.json")),
    (SmsTemplate, load("sms-template-get.json")),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(BASES + DOCUMENTED) - 1), value=JSON, data=st.data())
def test_any_json_anywhere_but_the_id_gives_an_object_that_renders(which, value, data):
    model, base = (BASES + DOCUMENTED)[which]
    raw = copy.deepcopy(base)
    places = [p for p in _paths(raw) if p != ("id",)] + [("unknown_field",)]
    path = data.draw(st.sampled_from(places))
    _put(raw, path, value)
    parsed = model.from_api(raw)  # never raises: only the id is required
    assert parsed.id == base["id"]
    _renders(model, parsed)


@settings(max_examples=60, deadline=None)
@given(value=JSON)
def test_anything_but_an_object_with_an_id_is_refused_with_a_reason(value):
    for model, _ in BASES:
        try:
            parsed = model.from_api(value)
        except ProtocolError as exc:
            assert exc.message
        else:
            assert isinstance(value, dict) and isinstance(value.get("id"), str)
            _renders(model, parsed)


def _cells(line: str) -> dict[int, str]:
    """Each character by the terminal column it starts at (wide characters take two; an
    emoji sequence joined by zero-width joiners, such as 👩‍💻, takes two in all)."""
    return {cell_len(line[:i]): char for i, char in reversed(list(enumerate(line)))}


def _assert_layout_intact(text: str, width: int, *, panes: bool = True) -> None:
    """Every line is exactly as wide as the terminal, and the panes' borders stand in the
    same columns on every line between their top and bottom edges."""
    lines = text.splitlines()
    assert all(cell_len(line) == width for line in lines), "a line lost or gained cells"
    for needle in CONTROL:
        assert needle not in text
    if not panes:
        return
    top = next(i for i, line in enumerate(lines) if line.lstrip().startswith("╭"))
    bottom = next(i for i in range(len(lines) - 1, top, -1) if "╰" in lines[i])
    edges = [col for col, char in _cells(lines[top]).items() if char in "╭╮"]
    assert edges, lines[top]
    for line in lines[top + 1 : bottom]:
        cells = _cells(line)
        for col in edges:
            assert cells.get(col) in "│▊▌▐┃╿╽", f"border broken at column {col}: {line!r}"


async def test_every_field_of_a_hostile_sequence_shows_literally(make_app, server):
    hostile = server.router.org.sequence_at(HOSTILE_INDEX)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        app.main.jump_to(hostile["id"])
        await settle(pilot)
        detail = app.main.detail.text
        for literal in (
            inert(hostile["name"]),
            inert(hostile["status"]),
            inert(hostile["timezone"]),
            "[@click=app.quit]x",  # an unknown step type, by its own name
            inert("[i]thread[/i]\x1b[1m"),
            "[bold]Template[/] [@click=app.quit]quit[/]",
            inert("\x1b[5mBlink\x1b[0m \u202eRLO\u202c subject"),
            "[red]Mallory[/red]",
            inert("\x1b[2JClear\x1b]0;title\x07"),
        ):
            assert literal in detail, literal
        text = screen_text(app)
        _assert_layout_intact(text, 120)
        await pilot.press("y")  # the toast names the sequence
        await pilot.pause()
        assert inert(hostile["name"]) in screen_text(app)
        await pilot.press("tab", "end")  # the detail scrolls; nothing was run
        assert app.is_running


@pytest.mark.parametrize("size", [(120, 35), (80, 24), (40, 12)])
async def test_hostile_names_keep_the_layout_at_every_size(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for index in range(HOSTILE_START, HOSTILE_START + 11):
            app.main.jump_to(app.main.sequences.in_order()[index].id)
            await pilot.pause()
            _assert_layout_intact(screen_text(app), size[0])
        assert len(app.main.sequences.in_order()[HOSTILE_START + 10].name) > 10_000
        await pilot.press("enter")  # the 10,000-character name, wrapped in the detail
        await pilot.pause()
        _assert_layout_intact(screen_text(app), size[0])


async def test_hostile_text_in_the_palette_and_the_subscriptions(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        app.main.action_jump()
        await pilot.pause()
        await pilot.press(*"link=")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "[link=https://example.com]x[/link]" in text
        _assert_layout_intact(text, 120, panes=False)  # the palette lies over the panes
        await pilot.press("escape")
        sequence = next(
            r
            for r in app.main.sequences.in_order()
            if server.router.org.subscription_total(r.id) >= 40
        )
        app.main.jump_to(sequence.id)
        await pilot.press("s")
        await settle(pilot)
        text = screen_text(app)
        assert "[b]x[/b]␛[31m" in text
        _assert_layout_intact(text, 120)


def test_text_output_cannot_drive_the_terminal(capsys, server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    hostile = server.router.org.sequence_at(HOSTILE_INDEX)
    for argv in (
        ["show", hostile["id"]],
        ["list"],
        ["list", "--format", "table"],
        ["show", hostile["id"], "--format", "json"],
    ):
        assert main([*argv, "--base-url", server.base_url]) == 0
        out = capsys.readouterr().out
        for needle in CONTROL:  # JSON escapes them; text shows stand-ins
            assert needle not in out
    assert main(["show", hostile["id"], "--base-url", server.base_url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == hostile["status"]  # JSON: unchanged
