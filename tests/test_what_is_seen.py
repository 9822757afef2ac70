"""What is copied is what is seen: line and paragraph separators, bidi marks, the soft hyphen
and tag characters are shown as visible stand-ins (as control characters are), in the app
and in every plain-text output, so `splitlines()` finds the lines there are; copying text
holding them is refused with the reason; a copy is capped at 10,000 characters."""

from __future__ import annotations

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY
from tests.support.app import settle, wait_until

INVISIBLE = "\u2028\u2029\u061c\u200e\u202b\u2066\u00ad\U000e0041"


@pytest.mark.parametrize("fmt", ["tsv", "csv", "table"])
def test_plain_output_shows_invisible_characters(server, monkeypatch, capsys, fmt, record_property):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    server.faults.add("lone_surrogate", text=INVISIBLE, path="sequence/", times=None)
    assert main(["list", "--base-url", server.base_url, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == out.count("\n")  # no line breaks but the real ones
    for char in INVISIBLE:
        assert char not in out
    assert "<U+2028><U+2029><U+061C><U+200E><U+202B><U+2066><U+00AD><U+E0041>" in out
    record_property(
        "fault_matrix",
        (f"separators, bidi, soft hyphen, tags in a name: list --format {fmt}",
         "shown as <U+…> stand-ins", "lines as many as newlines"),
    )  # fmt: skip


async def test_copying_an_id_holding_invisible_characters_is_refused(
    make_app, server, record_property
):
    server.faults.add("hostile_id", text="seq_\u2028ab\u061c", path="sequence/", times=None)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await wait_until(pilot, lambda: any("Not copied" in n.message for n in app.told))
        (told,) = [n.message for n in app.told if "Not copied" in n.message]
        assert told.startswith("Not copied: the id of ")  # not "this the id of"
        assert "control or invisible characters" in told and "<U+2028>" in told
        assert app.clipboard == ""
    record_property(
        "fault_matrix",
        ("y on an id holding U+2028 and U+061C", "Not copied, with the reason", "clipboard empty"),
    )


async def test_a_copy_over_ten_thousand_characters_is_refused(make_app, server, record_property):
    server.faults.add("hostile_id", text="seq_" + "a" * 10_000, path="sequence/", times=None)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await wait_until(pilot, lambda: any("Not copied" in n.message for n in app.told))
        assert any("10,004 characters long" in n.message for n in app.told)
        assert app.clipboard == ""
    record_property(
        "fault_matrix", ("y on a 10,004-character id", "Not copied: over 10,000", "clipboard empty")
    )


def test_doctor_and_cache_info_show_invisible_characters(
    server, monkeypatch, capsys, record_property
):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    server.faults.add("lone_surrogate", text=INVISIBLE, path="me/", times=None)
    main(["doctor", "--base-url", server.base_url])
    doctor = capsys.readouterr().out
    server.faults.clear()
    server.faults.add("lone_surrogate", text=INVISIBLE, path="sequence/", times=None)
    assert main(["list", "--base-url", server.base_url, "--format", "tsv"]) == 0
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    info = capsys.readouterr().out
    for out in (doctor, info):
        assert len(out.splitlines()) == out.count("\n")
        assert not any(char in out for char in INVISIBLE)
    assert "<U+2028>" in doctor
    record_property(
        "fault_matrix",
        ("separators and bidi marks in /me/'s organization name", "doctor shows stand-ins",
         "lines as many as newlines"),
    )  # fmt: skip
