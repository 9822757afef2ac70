"""The cadence at a glance: one line a step by default, `v` for the full timeline (kept),
labels that keep their values when a line wraps, End that reaches the last line, and the
split between list and detail (`w`, kept)."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from closetui.close.models import Sequence, Step
from closetui.demo.data import (
    EMAIL_TEMPLATES,
    SEED_ID,
    SMS_TEMPLATES,
    TOUR_INDEX,
    TOUR_NAME,
    USERS,
    DemoOrg,
)
from closetui.names.known import Names, TemplateInfo
from closetui.names.lookups import EMAIL_TEMPLATE, SMS_TEMPLATE, template_info
from closetui.present.sheet import CadenceView, plain, sequence_sheet
from closetui.present.spans import wrap_line
from tests.support.app import screen_text, settle, wait_until

SNAPSHOTS = Path(__file__).parent / "snapshots"
TOUR_ID = DemoOrg().sequence_at(TOUR_INDEX)["id"]


def _pane(app) -> list[str]:
    """The detail pane's lines as the screen shows them, inside its border."""
    region = app.main.detail.region
    lines = screen_text(app).splitlines()[region.y + 1 : region.y + region.height - 1]
    return [line[region.x + 1 : region.x + region.width - 1] for line in lines]


def _days(lines: list[str]) -> list[str]:
    return [found for line in lines for found in re.findall(r"Day \d+", line)]


async def _show_tour(app, pilot) -> None:
    await settle(pilot)
    app.main.jump_to(TOUR_ID)
    await settle(pilot)


# -- the Done-when lines -------------------------------------------------------------------------


async def test_at_120x35_the_eight_step_tour_shows_every_day_in_the_detail(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _show_tour(app, pilot)
        pane = _pane(app)
        assert pane[0].strip() == TOUR_NAME
        assert _days(pane) == [
            "Day 0",
            "Day 1",
            "Day 1",
            "Day 2",
            "Day 3",
            "Day 5",
            "Day 7",
            "Day 9",
        ]
        text = "\n".join(pane)
        for kind in ("Email", "Call", "SMS", "Task", "Update lead", "Create opportunity"):
            assert kind in text  # every kind, unknown ones by name, as words
        assert "Enrolled" in text and "Schedule" in text and "Created" in text


async def test_at_80x24_one_pane_shows_at_least_eight_steps(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _show_tour(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert len(_days(_pane(app))) >= 8


async def test_v_switches_to_the_full_timeline_and_the_choice_is_kept(make_app):
    config = Path(os.environ["CLOSETUI_CONFIG"])
    config.write_text('# mine\ntheme = "nord"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "○ Enrollment" not in app.main.detail.text
        await pilot.press("v")
        await wait_until(pilot, lambda: "○ Enrollment" in app.main.detail.text)
        assert "wait 3 days" in app.main.detail.text
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {
        "theme": "nord",
        "cadence": "full",
    }
    assert config.read_text(encoding="utf-8").startswith("# mine\n")
    again = make_app()
    async with again.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "○ Enrollment" in again.main.detail.text  # kept
        await pilot.press("v")
        await wait_until(pilot, lambda: "○ Enrollment" not in again.main.detail.text)
    assert tomllib.loads(config.read_text(encoding="utf-8"))["cadence"] == "compact"


async def test_w_changes_the_split_and_it_is_kept(make_app):
    config = Path(os.environ["CLOSETUI_CONFIG"])
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        before = app.main.detail.region.width
        assert before >= 50  # a fair share of 120 columns (it was 48)
        await pilot.press("w")
        await wait_until(pilot, lambda: app.main.detail.region.width != before)
        after = app.main.detail.region.width
    split = tomllib.loads(config.read_text(encoding="utf-8"))["split"]
    again = make_app()
    async with again.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert again.main.detail.region.width == after, split


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
async def test_end_reaches_the_last_line_the_first_time(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("v", "b")  # the longest view: the full timeline with bodies
        await _show_tour(app, pilot)
        # Tab, then End at once: an End handled before the pane had read its Focus event
        # measured a scroll extent still deferred from the cursor's last move, and stopped
        # short of the last line.
        await pilot.press("tab", "end")
        await settle(pilot)
        last = [line for line in app.main.detail.text.splitlines() if line.strip()][-1]
        visible = [line.rstrip() for line in _pane(app) if line.strip()]
        # (a wrapped last line ends the pane with its own last words)
        assert last.rstrip().endswith(visible[-1].strip(" │▁▂▃▄▅▆▇█").strip()), visible[-3:]
        await pilot.press("home", "G")
        await settle(pilot)
        assert [line.rstrip() for line in _pane(app) if line.strip()][-1] == visible[-1]


# -- the compact lines, and how lines wrap -----------------------------------------------------


def _plain_sequence(**fields) -> Sequence:
    return Sequence.from_api({"id": "seq_x", "name": "x", "status": "active", **fields})


def _demo_names() -> Names:
    """The demo's users and templates, as the lookups would find them."""
    users = {u["id"]: f"{u['first_name']} {u['last_name']}" for u in USERS}
    templates = {tid: template_info(EMAIL_TEMPLATE, tid, t) for tid, t in EMAIL_TEMPLATES.items()}
    templates |= {tid: template_info(SMS_TEMPLATE, tid, t) for tid, t in SMS_TEMPLATES.items()}
    return Names(users=users, templates=templates)


def _tour() -> Sequence:
    return Sequence.from_api(DemoOrg().sequence_at(TOUR_INDEX))


def _rows(lines, width: int) -> list[str]:
    return [
        "".join(s.text for s in row).rstrip() for line in lines for row in wrap_line(line, width)
    ]


@pytest.mark.parametrize("width", [40, 60, 100])
def test_the_compact_cadence_at_several_widths(width):
    lines = sequence_sheet(
        _tour(), _demo_names(), counts={"active": 58, "paused": 17, "finished": 45}
    )
    rows = _rows(lines, width)
    assert all(len(row) <= width for row in rows)
    assert len(_days(rows)) == 8  # one line a step, however narrow
    path = SNAPSHOTS / f"cadence-compact-{width}.txt"
    text = "\n".join(rows) + "\n"
    if os.environ.get("CLOSETUI_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path.name}"


def test_a_step_line_says_what_it_sends_with_short_marks():
    steps = [
        Step(id="a", step_type="email", delay=0, email_template_id="t1", threading="new_thread"),
        Step(id="b", step_type="sms", delay=7200, sms_template_id="s1", required=False),
        Step(
            id="c",
            step_type="email",
            delay=86400,
            email_template_id="t1",
            threading="old_thread",
            step_allowed_delay=4 * 3600,
        ),
        Step.from_api(
            {
                "id": "d",
                "step_type": "update_lead",
                "delay": 86400,
                "lead_status_id": "stat_Qualified",
            }
        ),
    ]
    names = Names(
        templates={
            "t1": TemplateInfo("t1", "Intro", "Hello {{ lead.name }}"),
            "s1": TemplateInfo("s1", "Nudge", "Hi {{ contact.first_name }}, got a minute?"),
        }
    )
    sequence = replace(_plain_sequence(), steps=tuple(steps))
    lines = sequence_sheet(sequence, names)
    text = plain(lines)
    assert "↩ reply in thread · opt optional · ⏱ allowed delay" in text
    step_lines = [line for line in text.splitlines() if line.startswith("Day")]
    assert len(step_lines) == 4
    assert "✉ Email" in step_lines[0] and "Intro · Hello {{ lead.name }}" in step_lines[0]
    assert "+2h" in step_lines[1] and "opt" in step_lines[1] and "“Hi {{ contact" in step_lines[1]
    assert "↩ ⏱4h" in step_lines[2] and "+1d" in step_lines[2]
    assert "◆ Update lead" in step_lines[3] and "lead_status_id stat_Qualified" in step_lines[3]
    variables = [s.text for line in lines for s in line if s.role == "variable"]
    assert "{{ lead.name }}" in variables
    full = plain(sequence_sheet(sequence, names, view=CadenceView(full=True)))
    assert "Update lead   step 4" in full and "lead_status_id stat_Qualified" in full


def test_counts_wrap_between_whole_pairs():
    sequence = _plain_sequence()
    lines = sequence_sheet(
        sequence, counts={"active": 58, "paused": 17, "finished": 45, "goal": 21, "error": 9}
    )
    enrolled = next(i for i, line in enumerate(lines) if plain([line]).startswith("Enrolled"))
    for width in range(30, 60):
        rows = _rows([lines[enrolled]], width)
        assert len(rows) > 1 or width > 50
        for row in rows:
            words = row.split()
            if words[0] == "Enrolled":
                words = words[1:]
            assert len(words) % 2 == 0, (width, row)  # `N status` pairs, never a lone number
            assert all(words[i].isdigit() for i in range(0, len(words), 2)), (width, row)


def test_a_schedule_wraps_between_whole_day_ranges():
    windows = ((1, "08:30", "12:00"), (3, "13:00", "17:00"), (5, "09:00", "11:30"))
    sequence = _plain_sequence(
        schedule={"ranges": [{"weekday": d, "start": a, "end": b} for d, a, b in windows]},
        timezone="Asia/Tokyo",
    )
    line = next(line for line in sequence_sheet(sequence) if plain([line]).startswith("Schedule"))
    for width in range(28, 60):
        for row in _rows([line], width):
            body = row.removeprefix("Schedule").strip().rstrip(";")
            parts = [part.strip() for part in body.split(";")]
            for part in parts:
                assert re.fullmatch(
                    r"(\w{3} \d\d:\d\d–\d\d:\d\d)( Asia/Tokyo)?|Asia/Tokyo", part
                ), (
                    width,
                    row,
                )


def test_a_person_s_name_and_the_title_wrap_as_units():
    sequence = _plain_sequence(name="Outbound cold — Churned draft", created_by_id="u1")
    lines = sequence_sheet(sequence, Names(users={"u1": "Jonas Jensen"}))
    created = next(line for line in lines if plain([line]).startswith("Created"))
    for width in range(30, 50):
        rows = _rows([created], width)
        assert any("Jonas Jensen" in row for row in rows), (width, rows)
    title, chip = lines[0], lines[1]
    assert [s.text for s in title] == ["Outbound cold — Churned draft"]  # the name alone
    assert chip[0].text == " active " and chip[0].role == "chip-good"
    rows = _rows([title], 20)
    assert rows == ["Outbound cold —", "Churned draft"]  # at its words, as one unit


def test_the_seed_compact_cadence():
    from closetui.demo.data import SEED_SEQUENCE

    text = plain(sequence_sheet(Sequence.from_api(SEED_SEQUENCE)))
    assert SEED_ID in text
    step_lines = [line for line in text.splitlines() if line.startswith("Day")]
    assert step_lines[0].startswith("Day 1 +1d  ✉ Email ↩")
    assert step_lines[1].startswith("Day 4 +3d  ☎ Call")


def test_a_run_s_call_steps_say_who_the_calls_go_to():
    from closetui.close.models import Subscription
    from closetui.demo.data import SEED_SEQUENCE
    from closetui.present.sheet import run_sheet

    org = DemoOrg()
    sub = Subscription.from_api(org.subscriptions(SEED_ID, 0, 1)[0][0])
    names = _demo_names()
    text = plain(run_sheet(sub, names, sequence=Sequence.from_api(SEED_SEQUENCE)))
    call = next(line for line in text.splitlines() if "☎ Call" in line)
    assert call.endswith(f"to {names.user(sub.calls_assigned_to[0])}")


async def test_an_unknown_layout_in_the_config_is_one_line_and_the_default(make_app):
    Path(os.environ["CLOSETUI_CONFIG"]).write_text('cadence = "tiny"\nsplit = 3\n', "utf-8")
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "cadence in" in screen_text(app))
        assert "○ Enrollment" not in app.main.detail.text  # compact, the default
        assert "Day 1 +1d" in app.main.detail.text


def test_the_layout_is_kept_among_the_top_level_settings_and_nothing_else_changes(tmp_path):
    from closetui.config.preferences import read_detail_layout, save_detail_layout
    from closetui.errors import ConfigError

    config = tmp_path / "config.toml"
    text = '# top\npage_size = 50\n\n# work\n[profiles.work]\napi_key_file = "~/k"\n'
    config.write_text(text, encoding="utf-8")
    save_detail_layout(config, "cadence", "full")
    save_detail_layout(config, "split", "even")
    save_detail_layout(config, "split", "detail")
    after = config.read_text(encoding="utf-8")
    assert after == text.replace(
        "page_size = 50\n", 'page_size = 50\ncadence = "full"\nsplit = "detail"\n'
    )
    assert read_detail_layout(config).split == "detail"
    broken = tmp_path / "broken.toml"
    broken.write_text("page_size = = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not saved"):
        save_detail_layout(broken, "cadence", "full")
    assert broken.read_text(encoding="utf-8") == "page_size = = 1\n"  # nothing written
