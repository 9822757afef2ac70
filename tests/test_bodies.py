"""What a step says: template bodies as readable text, in the detail (`b`) and in `show
--bodies`, over loopback against the demo, hostile ones included."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from closetui.cli import main
from closetui.demo import DEMO_API_KEY
from closetui.demo.data import (
    EMAIL_TEMPLATES,
    HOSTILE_BODY,
    HOSTILE_INDEX,
    MISSING_TEMPLATE_ID,
    SEED_ID,
    SEED_TEMPLATE_ID,
    DemoOrg,
)
from closetui.present.body import MAX_LINES, html_body, text_body
from tests.support.app import screen_text, settle, wait_until


def _text(html: str) -> list[str]:
    return ["".join(span.text for span in line) for line in html_body(html).lines]


def _roles(html: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in html_body(html).lines:
        for span in line:
            found.setdefault(span.role, set()).add(span.text)
    return found


# -- HTML to text -------------------------------------------------------------------------------


def test_paragraphs_breaks_lists_bold_italic_and_links_read_as_text():
    lines = _text(
        "<p>Hi {{ contact.first_name }},</p><p>We <b>help</b> teams <i>sell</i>.<br>Second</p>"
        '<ul><li>One</li><li>Two <a href="https://close.com/x">docs</a></li></ul>'
        "<ol><li>first</li><li>second</li></ol>"
    )
    assert lines == [
        "Hi {{ contact.first_name }},",
        "",
        "We help teams sell.",
        "Second",
        "",
        "• One",
        "• Two docs <https://close.com/x>",
        "",
        "1. first",
        "2. second",
    ]
    roles = _roles("<b>bold</b> <i>it</i> {{ lead.name }} <a href='mailto:a@b.example'>mail</a>")
    assert "bold" in roles["strong"] and "it" in roles["em"] and "mail" in roles["link"]
    assert "{{ lead.name }}" in roles["variable"]  # kept as typed, highlighted
    assert "a@b.example" in roles["address"]


def test_scripts_styles_and_the_head_are_dropped_and_entities_read():
    lines = _text(
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<script>alert('x')</script><p>&lt;script&gt; &amp; &copy; &#x1F600;</p></body></html>"
    )
    assert lines == ["<script> & © 😀"]  # an entity is text, never a tag


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x"]
)
def test_a_link_that_is_not_http_or_mailto_is_named_never_shown_to_follow(href):
    (line,) = _text(f'<a href="{href}">Claim your prize</a>')
    assert line.startswith("Claim your prize (") and "link, not shown)" in line
    assert "alert" not in line and "text/html" not in line


def test_control_and_invisible_characters_are_inert():
    lines = _text("<p>\x1b[31mred\x1b[0m \x1b]0;title\x07 \u202eevil\u202c zero\u200bwidth</p>")
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "␛[31mred" in text and "<U+202E>" in text and "<U+200B>" in text
    sms = text_body("Hi\x1b[2J {{ contact.first_name }}\nReply STOP")
    assert ["".join(s.text for s in line) for line in sms.lines] == [
        "Hi␛[2J {{ contact.first_name }}",
        "Reply STOP",
    ]


def test_a_megabyte_body_and_deep_nesting_are_bounded():
    huge = "<p>" + "word " * 200_000 + "</p>" + "<div>x</div>" * 100_000  # over 1 MB
    assert len(huge) > 1_000_000
    started = time.perf_counter()
    body = html_body(huge)
    assert time.perf_counter() - started < 5
    assert body.cut and len(body.lines) <= MAX_LINES
    assert max(len("".join(s.text for s in line)) for line in body.lines) <= 2_001
    deep = "<table><tr><td>" * 5_000 + "inside" + "</td></tr></table>" * 5_000
    assert _text(deep) == ["inside"]
    nested = "<ul><li>" * 50 + "deep" + "</li></ul>" * 50
    (line,) = [line for line in _text(nested) if "deep" in line]
    assert len(line) - len(line.lstrip()) <= 2 * 8  # the indent stops growing


# -- in the app and in `show`, over loopback ---------------------------------------------------


def _online(server) -> list[str]:
    return ["--base-url", server.base_url]


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)


async def test_b_shows_the_seed_email_body_as_text_and_again_offline(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "Teams like yours use Close to:" not in app.main.detail.text
        await pilot.press("b")
        await wait_until(pilot, lambda: "Teams like yours" in app.main.detail.text)
        text = app.main.detail.text
        assert "I noticed {{ lead.display_name }} has been growing" in text
        assert "• call, email and text from one place" in text
        assert "two-minute case study <https://close.com/customers/>" in text
        assert "<p>" not in text and "<b>" not in text and "</" not in text
        assert "Teams like yours use Close to:" in screen_text(app)
        await pilot.press("b")  # and hidden again
        await wait_until(pilot, lambda: "Teams like yours" not in app.main.detail.text)
    offline = make_app(offline=True)
    async with offline.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await wait_until(pilot, lambda: "Teams like yours" in offline.main.detail.text)


def test_show_bodies_prints_the_seed_body_and_again_offline(capsys, server, keyed):
    assert main(["show", SEED_ID, *_online(server)]) == 0
    assert "Teams like yours" not in capsys.readouterr().out  # only when asked
    assert main(["show", SEED_ID, "--bodies", *_online(server)]) == 0
    out = capsys.readouterr().out
    assert "Teams like yours use Close to:" in out and "<p>" not in out
    assert "• never miss a follow-up, with Workflows" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["show", SEED_ID, "--bodies", "--offline", *_online(server)]) == 0
    assert "Teams like yours use Close to:" in capsys.readouterr().out


def test_show_json_carries_the_bodies_text_when_asked(capsys, server, keyed):
    assert main(["show", SEED_ID, "--format", "json", *_online(server)]) == 0
    assert "step_bodies" not in json.loads(capsys.readouterr().out)
    assert main(["show", SEED_ID, "--format", "json", "--bodies", *_online(server)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == SEED_ID and data["steps"]  # Close's object, as it came
    first, call = data["step_bodies"]
    assert first["template_id"] == SEED_TEMPLATE_ID
    assert first["body_text"].startswith("Hi {{ contact.first_name }},\n\nI noticed")
    assert "<" not in first["body_text"].split("case study")[0]
    assert call["template_id"] is None and call["body_text"] is None


def _with_template(monkeypatch, body: str) -> str:
    """The seed's template with another body (the demo serves the dict it holds)."""
    monkeypatch.setitem(
        EMAIL_TEMPLATES, SEED_TEMPLATE_ID, {**EMAIL_TEMPLATES[SEED_TEMPLATE_ID], "body": body}
    )
    return SEED_TEMPLATE_ID


def test_a_hostile_body_prints_inert(capsys, server, keyed, monkeypatch):
    _with_template(monkeypatch, HOSTILE_BODY)
    assert main(["show", SEED_ID, "--bodies", *_online(server)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "document.cookie" not in out and "not shown" not in out.split("Click to claim")[0]
    assert "Click to claim (javascript link, not shown)" in out
    assert "alert(document.domain)" not in out
    assert "deep in sixty nested tables" in out
    assert "{{ lead.custom.evil | attr('__class__') }} stays as typed." in out


def test_a_megabyte_body_is_cut_with_a_count_of_what_is_left(capsys, server, keyed, monkeypatch):
    _with_template(monkeypatch, "".join(f"<p>line {n} of many</p>" for n in range(60_000)))
    assert main(["show", SEED_ID, "--bodies", *_online(server)]) == 0
    out = capsys.readouterr().out
    assert "line 0 of many" in out and "line 399 of many" not in out.split("more lines")[-1]
    assert "more lines" in out


async def test_a_hostile_body_in_the_detail_is_shown_literally(make_app):
    hostile_id = DemoOrg().sequence_at(HOSTILE_INDEX)["id"]
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        app.main.jump_to(hostile_id)
        await settle(pilot)
        await pilot.press("tab")
        text = app.main.detail.text
        assert "Click to claim (javascript link, not shown)" in text
        assert "[@click=app.quit]quit[/]" in text  # shown, not run: the app is still here
        assert "\x1b" not in text and "document.cookie" not in text
        assert app.is_running
        screen = screen_text(app)
        assert "\x1b" not in screen
        assert all(line.endswith("│") or not line.startswith("│") for line in screen.splitlines())


async def test_a_template_that_404s_says_so_with_bodies_shown(make_app, capsys, server, keyed):
    org = DemoOrg()
    position = next(
        i
        for i in range(200)
        if any(
            s.get("email_template_id") == MISSING_TEMPLATE_ID for s in org.sequence_at(i)["steps"]
        )
    )
    sequence_id = org.sequence_at(position)["id"]
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        app.main.jump_to(sequence_id)
        await settle(pilot)
        assert f"template not found ({MISSING_TEMPLATE_ID})" in app.main.detail.text
    argv = ["show", sequence_id, "--bodies", *_online(server)]
    assert await asyncio.to_thread(main, argv) == 0  # a command runs its own event loop
    assert "template not found" in capsys.readouterr().out


async def test_b_and_v_work_on_a_run_s_cadence_too(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        run = app.screen.detail
        assert "Day 1 +1d" in run.text and "Teams like yours" not in run.text
        await pilot.press("b")
        await wait_until(pilot, lambda: "Teams like yours use Close to:" in run.text)
        await pilot.press("v")
        await wait_until(pilot, lambda: "○ Enrollment" in run.text)
        assert "Teams like yours use Close to:" in run.text  # bodies under the full timeline


def test_broken_html_that_made_the_parser_quadratic_is_read_quickly():
    """Unfinished tags and comments by the hundred thousand (Python's html.parser before
    3.11.13 read again from each one to the end: minutes). Measured as work, not time: every
    body is read, and its `<` come back as text."""
    import time

    from closetui.present.body import html_body

    for body in ("<" * 200_000, "<a" * 100_000, "<!--" * 50_000, "<a\n" * 66_000, "x<b>" * 50_000):
        started = time.process_time()
        lines = html_body(body).lines
        assert lines, body[:8]
        assert time.process_time() - started < 5, body[:8]  # a bound far above the ~0.1 s
