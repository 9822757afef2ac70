"""What the filter box says: free text, and `status:` terms beside it.

`status:paused acme` keeps the rows whose status is paused and whose text contains "acme";
`status:active,paused` takes either status. The same syntax serves both lists and `list`.
`reason:email-bounced` (or `reason:email-bounced,account-invalid`) keeps the runs stopped
for that reason: a row that has a reason carries it in its key as `reason_mark(value)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

STATUS = "status:"
CHANGED = "changed:"  # `changed:` keeps the sequences changed since they were last looked at
REASON = "reason:"


def reason_mark(value: str) -> str:
    """How a row's key carries its reason: between unit separators, which no text from the
    API keeps (it is made inert first), so free text never matches it."""
    return f"\x1f{value.casefold()}\x1f"


class Filterable(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def status(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Query:
    """What a list's filter asks for: text, statuses, changed ids, stop reasons."""

    text: str = ""  # casefolded
    statuses: frozenset[str] = frozenset()  # casefolded; empty: any status
    only: frozenset[str] | None = None  # `changed:`: these ids only (None: any id)
    reasons: frozenset[str] = frozenset()  # casefolded; empty: any reason

    def __bool__(self) -> bool:
        return bool(self.text or self.statuses or self.only is not None or self.reasons)

    def matches(self, row: Filterable) -> bool:
        if self.statuses and row.status.casefold() not in self.statuses:
            return False
        if self.only is not None and row.id not in self.only:
            return False
        if self.reasons and not any(reason_mark(r) in row.key for r in self.reasons):
            return False
        return self.text in row.key


def parse(text: str, changed: frozenset[str] = frozenset()) -> Query:
    """`changed` is what `changed:` stands for: the ids of the sequences changed since
    they were last looked at (the list's owner knows them)."""
    words: list[str] = []
    statuses: set[str] = set()
    reasons: set[str] = set()
    only: frozenset[str] | None = None
    for word in text.split():
        if word.casefold() == CHANGED:
            only = changed
        elif word.casefold().startswith(STATUS):
            statuses.update(s for s in word[len(STATUS) :].casefold().split(",") if s)
        elif word.casefold().startswith(REASON):
            reasons.update(r for r in word[len(REASON) :].casefold().split(",") if r)
        else:
            words.append(word)
    return Query(" ".join(words).casefold(), frozenset(statuses), only, frozenset(reasons))


def with_status(text: str, status: str | None) -> str:
    """The filter text with its status term replaced (None: any status)."""
    words = [w for w in text.split() if not w.casefold().startswith(STATUS)]
    if status:
        words.insert(0, STATUS + status)
    return " ".join(words)


def status_of(text: str) -> str | None:
    """The single status a filter text asks for, if it asks for exactly one."""
    statuses = parse(text).statuses
    return next(iter(statuses)) if len(statuses) == 1 else None


# What Close documents (tests/close_examples/enums.json): the words `--status` accepts.
SEQUENCE_STATUSES = ("active", "paused", "draft")
RUN_STATUSES = ("active", "paused", "finished", "goal", "error")


class UnknownStatus(ValueError):
    """A status word Close does not document; `args[0]` is the word."""


def parse_statuses(spec: str, known: tuple[str, ...]) -> frozenset[str]:
    """A comma list of statuses, read as the filter's `status:` term reads it (`paused,draft`,
    any case, a leading `status:` allowed); a word outside `known` raises UnknownStatus."""
    text = spec.strip()
    if text.casefold().startswith(STATUS):
        text = text[len(STATUS) :]
    statuses = frozenset(s.strip() for s in text.casefold().split(",") if s.strip())
    for status in sorted(statuses):
        if status not in known:
            raise UnknownStatus(status)
    return statuses
