"""Watching the app as a person would: what the screen shows, and waiting for it to settle
or to change, without sleeping on a guess."""

from __future__ import annotations

import time


def screen_text(app) -> str:
    """What the terminal shows, as text: the compositor's lines for the active screen."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot, rounds: int = 200) -> None:
    """Wait until every page request and lookup has landed and every message is handled.
    No sleeps: it awaits the workers themselves (and the lookup delay's timer)."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "reconnect" and not w.is_finished]
        if busy:
            await app.workers.wait_for_complete(busy)
            continue
        await pilot.pause()
        if app.busy:
            await pilot.pause(0.01)  # a lookup waits for the cursor to rest: its timer is due
            continue
        return
    raise AssertionError("the app did not settle")


async def wait_until(pilot, predicate, timeout: float = 5.0) -> None:
    """Wait for something the person would see, checking after each frame."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the screen to change")
        await pilot.pause(0.02)


_LOOKS = "krgybmcw"  # the 16 colours' letters, 0-7; bright ones (8-15) are the same letter


def screen_looks(app, colors: int = 16) -> list[tuple[str, str]]:
    """Each line of the screen and, beneath it, how each glyph looks where the terminal has
    only 16 colours (`colors=16`) or none (`colors=0`, NO_COLOR): a letter for its colour in
    16 colours (k r g y b m c w; `d` the terminal's default, as NO_COLOR leaves everything),
    upper case when bold. A space stays a space."""
    from rich.color import ColorSystem

    out = []
    for strip in app.screen._compositor.render_strips():
        text, looks = [], []
        for segment in strip:
            style = segment.style
            letter = "d"
            if colors and style is not None and style.color is not None:
                color = style.color.downgrade(ColorSystem.STANDARD)
                if color.number is not None:
                    letter = _LOOKS[color.number % 8]
            bold = bool(style and style.bold)
            for char in segment.text:
                text.append(char)
                looks.append(" " if char == " " else letter.upper() if bold else letter)
        out.append(("".join(text), "".join(looks)))
    return out


def look_of(app, needle: str, colors: int = 16, nth: int = 0) -> str:
    """How the `nth` place on the screen that shows `needle` looks (see screen_looks)."""
    found = 0
    for text, looks in screen_looks(app, colors):
        start = text.find(needle)
        while start >= 0:
            if found == nth:
                return looks[start : start + len(needle)]
            found += 1
            start = text.find(needle, start + 1)
    raise AssertionError(f"{needle!r} is not on the screen")
