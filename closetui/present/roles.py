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
)

_STATUS_ROLES = {"active": "good", "goal": "good", "paused": "warn", "error": "error"}


def status_role(status: str) -> str:
    """A sequence's or a run's status, anywhere it is shown; unknown ones are dim."""
    return _STATUS_ROLES.get(status, "dim")
