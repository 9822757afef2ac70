"""Handing something over: to the clipboard (OSC 52) or to Close's web app in a browser.

Over SSH or with no display there is no browser to open, so the address is copied and shown
whole, to select by hand if the terminal did not take the copy. Nothing with control
characters in it is copied: a clipboard is a terminal's too, and what is pasted should be
what was shown.
"""

from __future__ import annotations

from textual.widget import Widget

from closetui.present.links import can_open_browser
from closetui.textsafe import inert, truncate
from closetui.tui.screens.address import AddressScreen

COPY_LIMIT = 10_000  # characters: an id, an email or an address is far shorter
# What a toast's line holds (a toast is 60 wide, less its border and padding): text longer
# than this would be broken across lines, so it is shown where it can be selected whole.
TOAST_TEXT = 56


def copy_text(node: Widget, text: str, what: str) -> bool:
    """Copy `text` (`what` it is, for the toast: "the contact email"); refused, with the
    reason, when it holds characters the screen shows as stand-ins (control characters,
    bidi marks, line separators, invisible ones), or when it is over `COPY_LIMIT`."""
    what = inert(what)  # it may quote a name from the network
    if not text:
        node.notify(f"Nothing to copy ({what}).", severity="warning", markup=False)
        return False
    if inert(text) != text:
        node.notify(
            f"Not copied: {what} holds control or invisible characters, so what would be "
            f"pasted is not what is shown ({truncate(inert(text), 60)}).",
            title="Copy refused",
            severity="warning",
            markup=False,
        )
        return False
    if len(text) > COPY_LIMIT:
        node.notify(
            f"Not copied: {what} is {len(text):,} characters long, over the "
            f"{COPY_LIMIT:,} a copy may hold ({truncate(text, 60)}).",
            title="Copy refused",
            severity="warning",
            markup=False,
        )
        return False
    node.app.copy_to_clipboard(text)
    if len(text) > TOAST_TEXT:  # a toast would break it across lines: shown to select
        show_to_select(
            node,
            f"Copied {what}",
            text,
            "Sent to the clipboard via OSC 52. If your terminal blocks that, select it here:",
        )
        return True
    node.notify(
        f"Copied {text} ({what}). Sent via OSC 52: if your terminal blocks clipboard "
        "access, copy it from here.",
        title="Copied",
        markup=False,
    )
    return True


def show_to_select(node: Widget, title: str, text: str, words: str) -> None:
    node.app.clear_notifications()  # a toast is drawn above every screen: none over it
    node.app.push_screen(AddressScreen(title, text, words))


def open_in_close(node: Widget, url: str, what: str) -> None:
    """Open `url` in a browser here, or (over SSH, with no display) show and copy it."""
    if can_open_browser():
        node.app.open_url(url)
        node.notify(f"Opening the {what} in your browser: {url}", markup=False, timeout=6)
        return
    node.app.copy_to_clipboard(url)
    show_to_select(
        node,
        f"The {what} in Close",
        url,
        "No browser from this session: the address is copied (OSC 52). "
        "If your terminal did not take it, select it here:",
    )
