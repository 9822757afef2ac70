"""The style roles: what a piece of text is, never how it looks. Lines and cells carry a
role; the app's CSS (`tui/`) and the command line's ANSI codes (`commands/output.py`) each
give every role its look, and a test holds both to this list.
"""

from __future__ import annotations

ROLES = (
    "title",  # the sequence's name
    "section",  # a heading such as Cadence
    "label",  # a field's name
    "dim",  # what matters less
    "id",  # an id
    "good",  # active, goal reached
    "warn",  # paused, a missing template, an odd value
    "error",  # errored runs, a failure
    "rail",  # the timeline's line
    "day",  # Day N
    "wait",  # the wait between steps
    "kind",  # a step's kind
    "kind-email",
    "kind-call",
    "kind-sms",
    "kind-other",
    "value",  # a field's value
    "chip-good",  # a status drawn as a chip beside the title: active
    "chip-warn",  # paused
    "chip-error",  # error
    "chip-dim",  # draft, and statuses closetui does not know
    "mark",  # a step's short marks in the compact cadence (↩ reply, opt, ⏱ allowed delay)
    "body",  # what a template says
    "strong",  # bold in a body
    "em",  # italic in a body
    "link",  # a link's text in a body
    "address",  # the address a body's link goes to, shown as text
    "variable",  # a template variable, {{ contact.first_name }}, as typed
)

_STATUS_ROLES = {"active": "good", "goal": "good", "paused": "warn", "error": "error"}


def chip_role(status: str) -> str:
    """The status chip beside a title: the status's colour, drawn as a block."""
    return f"chip-{status_role(status)}"


def status_role(status: str) -> str:
    """A sequence's or a run's status, anywhere it is shown; unknown ones are dim."""
    return _STATUS_ROLES.get(status, "dim")
