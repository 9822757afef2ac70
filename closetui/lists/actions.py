"""Changing runs in Close: pause, resume, unsubscribe. What each one sends, the question it
asks first, and sending it run by run, with each run's outcome, a line in the log and the
cache brought up to date. The CLI (`closetui pause …`) and the app (`P`, `R`, `D`) both act
through here, so they send, ask and report alike.

Nothing here is reached unless the person turned changes on (`allow_changes`): `refusal()`
is the one line both say when not.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from closetui.close.models import Subscription
from closetui.config.settings import ALLOW_CHANGES, Settings
from closetui.errors import (
    ApiError,
    NetworkError,
    NotFound,
    ProtocolError,
    ServerError,
    TooSlow,
)
from closetui.lists.runs import KIND
from closetui.textsafe import inert, truncate

if TYPE_CHECKING:
    from closetui.close.client import CloseClient
    from closetui.store.cache import Cache

changes_log = logging.getLogger("closetui.changes")

# Close's run ids are `sub_` and 22 letters and digits; anything else read from a pipe or a
# command line is not sent, however it got there.
RUN_ID = re.compile(r"sub_[A-Za-z0-9]{1,64}")
NOT_A_RUN = "not a run id (sub_ and letters and digits): not sent"
WIDTH = 4  # changes in flight at once: the rate gate still spaces them
REMOVED = "removed"  # what a run is after an unsubscribe: Close no longer has it


@dataclass(frozen=True, slots=True)
class Action:
    name: str  # the command: pause, resume, unsubscribe
    verb: str  # as a question starts: "Pause 3 runs…?"
    done: str  # as a result reads: "3 paused"
    status: str | None  # the status a PUT asks for; None: a DELETE
    undo: str | None  # the action that undoes it, if there is one

    @property
    def method(self) -> str:
        return "PUT" if self.status is not None else "DELETE"

    def body(self) -> dict[str, str] | None:
        return {"status": self.status} if self.status is not None else None

    def request(self, base_url: str, run_id: str) -> str:
        """The request, as `--dry-run` prints it and as it will be sent (an id that cannot
        be sent is said so, inert)."""
        if RUN_ID.fullmatch(run_id) is None:
            return f"{inert(run_id)}: {NOT_A_RUN}"
        line = f"{self.method} {base_url}sequence_subscription/{run_id}/"
        body = self.body()
        return f"{line} {json.dumps(body)}" if body is not None else line


ACTIONS = {
    "pause": Action("pause", "Pause", "paused", "paused", "resume"),
    "resume": Action("resume", "Resume", "resumed", "active", "pause"),
    "unsubscribe": Action("unsubscribe", "Remove", "removed", None, None),
}


@dataclass(frozen=True, slots=True)
class Target:
    """A run to change, as closetui knows it before sending."""

    id: str
    status: str | None = None  # None: not read (a dry run of ids reads nothing)
    sequence_id: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one run: Close's answer, or its reason for refusing."""

    id: str
    ok: bool
    was: str | None
    now: str | None  # the status Close answered with; REMOVED after an unsubscribe
    reason: str = ""  # Close's words when it refused (inert), or why nothing came back
    answer: Subscription | None = None  # the run as Close answered (PUT)
    raw: dict[str, Any] | None = None

    def describe(self) -> str:
        """One line for the person: `sub_…  active → paused` or `sub_…  refused: …`."""
        if self.ok:
            return f"{self.id}  {self.was or '?'} → {self.now}"
        return f"{self.id}  not changed: {self.reason}"


def refusal(settings: Settings, action: Action) -> str:
    """The one line said when changes are off: which setting turns them on, and where."""
    where = (
        "the demo's CLOSETUI_DEMO_ALLOW_CHANGES=1"
        if settings.demo
        else (
            f"{ALLOW_CHANGES} = true in [profiles.{settings.profile}] of {settings.config_path}"
            if settings.profile
            else f"{ALLOW_CHANGES} = true at the top of {settings.config_path}"
        )
    )
    return (
        f"{action.verb} refused: closetui changes nothing in Close unless {where} turns "
        f"changes on ({ALLOW_CHANGES} is off); nothing was sent."
    )


def check_run_id(text: str) -> str | None:
    """`text` as a run id, or None when it is not one (and so is never sent)."""
    text = text.strip()
    return text if RUN_ID.fullmatch(text) else None


def shown_input(text: str) -> str:
    """Something that was not a run id, as the person may see it: inert and short."""
    return truncate(inert(text.strip()), 40)


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count:,} runs"


def already_so(action: Action, targets: Sequence[Target]) -> tuple[list[Target], list[Target]]:
    """The runs the change would change, and those already as it would leave them (a
    resume of an active run, a pause of a paused one): those are left alone, never sent,
    so that neither the question nor the undo counts them."""
    if action.status is None:
        return list(targets), []
    todo = [t for t in targets if t.status != action.status]
    return todo, [t for t in targets if t.status == action.status]


def left_alone(action: Action, already: Sequence[Target]) -> str:
    """ "2 runs already active are left as they are" (one: "is left as it is")."""
    if not already or action.status is None:
        return ""
    rest = "is left as it is" if len(already) == 1 else "are left as they are"
    return f"{_runs(len(already))} already {action.status} {rest}"


def question(action: Action, targets: Sequence[Target], sequence_name: str | None) -> str:
    """ "Pause 12 runs of 'Trial expiring push' (12 active)?" """
    of = f" of '{inert(sequence_name)}'" if sequence_name else ""
    statuses = Counter(t.status for t in targets if t.status is not None)
    order = sorted(statuses.items(), key=lambda item: (-item[1], item[0]))
    known = ", ".join(f"{n:,} {inert(status)}" for status, n in order)
    unknown = sum(1 for t in targets if t.status is None)
    if unknown:
        known = f"{known}, {unknown:,} not read" if known else f"{unknown:,} not read"
    return f"{action.verb} {_runs(len(targets))}{of} ({known})?"


def expected_answer(count: int) -> str:
    """What the person types to go on: the number of runs, or `y` for one. No single stray
    key sends a change to more than one run."""
    return "y" if count == 1 else str(count)


def confirmed(answer: str, count: int) -> bool:
    text = answer.strip().casefold().replace(",", "")
    if count == 1:
        return text in ("y", "yes")
    return text == str(count)


def summary(action: Action, outcomes: Sequence[Outcome]) -> str:
    """`3 paused` / `2 paused · 1 not changed` for the end of a run of changes."""
    done = sum(1 for o in outcomes if o.ok)
    failed = len(outcomes) - done
    line = f"{done:,} {action.done}"
    if failed:
        line += f" · {failed:,} not changed"
    return line


# -- sending ----------------------------------------------------------------------------------


async def read_targets(
    client: CloseClient, run_ids: Sequence[str]
) -> tuple[list[Target], list[Outcome]]:
    """Each run as Close has it now (its status and sequence, for the question and the log);
    a run Close cannot find is an outcome already, and is not sent."""
    found: dict[str, Target] = {}
    missing: dict[str, Outcome] = {}
    gate = asyncio.Semaphore(WIDTH)

    async def read(run_id: str) -> None:
        async with gate:
            try:
                sub, _ = await client.get_subscription(run_id)
            except ApiError as exc:
                missing[run_id] = Outcome(run_id, False, None, None, inert(exc.message))
                return
            found[run_id] = Target(run_id, sub.status, sub.sequence_id)

    await asyncio.gather(*(read(r) for r in dict.fromkeys(run_ids)))
    order = list(dict.fromkeys(run_ids))
    return [found[r] for r in order if r in found], [missing[r] for r in order if r in missing]


async def apply(
    client: CloseClient,
    cache: Cache | None,
    action: Action,
    targets: Iterable[Target],
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Send the change for each run, a few at a time, and return each run's outcome in the
    order given. Each change that Close applied is logged and put into the cache."""
    targets = list(targets)
    outcomes: dict[str, Outcome] = {}
    gate = asyncio.Semaphore(WIDTH)

    async def one(target: Target) -> None:
        async with gate:
            outcome = await _send(client, action, target)
        if outcome.ok:
            _record(cache, action, target, outcome)
        outcomes[target.id] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    await asyncio.gather(*(one(t) for t in targets))
    return [outcomes[t.id] for t in targets if t.id in outcomes]


def sendable(run_id: str) -> bool:
    """Whether an id may go into a write's path, wherever it came from (a pipe, a command
    line, or a server's list: `..` or `a/../../lead/x` there would write elsewhere)."""
    return RUN_ID.fullmatch(run_id) is not None


async def _send(client: CloseClient, action: Action, target: Target) -> Outcome:
    from closetui.close.client import AnswerLost  # (httpx stays off the import path)

    if not sendable(target.id):
        return Outcome(target.id, False, target.status, None, NOT_A_RUN)
    try:
        if action.status is not None:
            sub, raw = await client.set_subscription_status(target.id, action.status)
            if sub.id != target.id:
                why = f"Close answered for another run ({inert(sub.id)}): not counted as done"
                return Outcome(target.id, False, target.status, None, why)
            return Outcome(target.id, True, target.status, sub.status, answer=sub, raw=raw)
        await client.delete_subscription(target.id)
        return Outcome(target.id, True, target.status, REMOVED)
    except (AnswerLost, TooSlow) as exc:
        return await _after_lost(client, action, target, exc)
    except (NetworkError, ServerError) as exc:
        # The retries ran out with no answer, or Close failed after the write may have
        # reached it: what became of the run is asked, not guessed.
        return await _after_lost(client, action, target, exc)
    except (ApiError, ProtocolError) as exc:
        return Outcome(target.id, False, target.status, None, inert(exc.message))


async def _after_lost(
    client: CloseClient, action: Action, target: Target, lost: ApiError
) -> Outcome:
    """A write went out and its answer was lost (or came too late): it is not sent again (see
    client.IDEMPOTENT) but Close is asked what became of the run."""
    try:
        sub, raw = await client.get_subscription(target.id)
    except NotFound:
        if action.status is None:
            return Outcome(target.id, True, target.status, REMOVED)
        gone = f"{lost.message} Close no longer has the run."
        return Outcome(target.id, False, target.status, None, inert(gone))
    except ApiError as exc:
        return Outcome(
            target.id, False, target.status, None,
            inert(f"{lost.message} Asking Close whether it did failed too: {exc.message}"),
        )  # fmt: skip
    if action.status is not None and sub.status == action.status:
        return Outcome(target.id, True, target.status, sub.status, answer=sub, raw=raw)
    return Outcome(
        target.id, False, target.status, sub.status,
        inert(f"{lost.message} The run is still there ({sub.status}): not sent again."),
    )  # fmt: skip


def _record(cache: Cache | None, action: Action, target: Target, outcome: Outcome) -> None:
    """The change, in the log (run id, from → to, when; never the key) and in the cache."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    changes_log.info(
        "%s %s: %s → %s at %s", action.name, target.id, target.status or "?", outcome.now, when
    )
    if cache is None:
        return
    cache.replace_in_pages(KIND, target.id, outcome.raw if outcome.now != REMOVED else None)
    sequence_id = outcome.answer.sequence_id if outcome.answer else target.sequence_id
    if sequence_id and target.status:
        cache.shift_count(
            sequence_id, target.status, None if outcome.now == REMOVED else outcome.now
        )
