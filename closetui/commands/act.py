"""`closetui pause|resume|unsubscribe RUN_ID…` (or `--sequence SEQ_ID --status S`): change
runs in Close, after asking in words, one result line per run on stdout.

Refused (exit 2) before anything is read or sent: changes not turned on (`allow_changes`),
no terminal to ask at and no `--yes`, no runs named. Exit 1 when any run was not changed.
"""

from __future__ import annotations

import sys
from typing import TextIO

from closetui.close.paging import Seen, pages_in_order
from closetui.commands.common import cut_short, open_session
from closetui.config.settings import Settings
from closetui.errors import ApiError, ConfigError
from closetui.lists.actions import (
    ACTIONS,
    Outcome,
    Target,
    already_so,
    apply,
    check_run_id,
    confirmed,
    expected_answer,
    left_alone,
    question,
    read_targets,
    refusal,
    shown_input,
    summary,
)
from closetui.lists.runs import SubscriptionRow
from closetui.session import Session
from closetui.textsafe import inert

EXIT_OK, EXIT_FAILED = 0, 1


def _ids(given: list[str], stdin: TextIO, err: TextIO) -> tuple[list[str], int]:
    """The run ids asked for (`-` reads them from stdin, one a line), and how many of what was
    given were not run ids (each said on stderr, none sent)."""
    ids: list[str] = []
    bad = 0
    for arg in given:
        if arg == "-":
            for number, line in enumerate(stdin, 1):
                if not line.strip():
                    continue
                # A line of `closetui subscriptions` TSV is read by its first field, the id.
                run_id = check_run_id(line.split("\t", 1)[0])
                if run_id is None:
                    bad += 1
                    err.write(
                        f"closetui: line {number} of stdin is not a run id "
                        f"({shown_input(line)!r}): not sent\n"
                    )
                else:
                    ids.append(run_id)
            continue
        run_id = check_run_id(arg)
        if run_id is None:
            bad += 1
            err.write(f"closetui: {shown_input(arg)!r} is not a run id (sub_…): not sent\n")
        else:
            ids.append(run_id)
    return list(dict.fromkeys(ids)), bad


async def _sequence_name(session: Session, sequence_ids: set[str]) -> str | None:
    """The sequence's name for the question, when the runs are of one sequence: from the
    cache, else from Close."""
    if len(sequence_ids) != 1:
        return None
    (sequence_id,) = sequence_ids
    stored = session.cache.sequence(sequence_id) or session.cache.detail(sequence_id)
    if stored is not None and isinstance(stored.data, dict):
        name = stored.data.get("name")
        if isinstance(name, str):
            return name
    if session.client is None:
        return None
    try:
        sequence, _ = await session.client.get_sequence(sequence_id)
    except ApiError:
        return None
    return sequence.name


async def _selection(
    session: Session,
    sequence_id: str,
    status: str | None,
    reason: str | None,
    err: TextIO,
) -> list[Target]:
    """Every run of the sequence with that status (and reason), paged to the end as
    `closetui subscriptions` pages."""
    source = session.subscriptions(sequence_id)
    seen = Seen()
    wanted_status = status.casefold() if status else None
    wanted_reason = reason.casefold() if reason else None

    def keep(row: SubscriptionRow) -> bool:
        sub = row.subscription
        if wanted_status is not None and sub.status.casefold() != wanted_status:
            return False
        return wanted_reason is None or (sub.status_reason or "").casefold() == wanted_reason

    targets: list[Target] = []
    pages = pages_in_order(source.fetch_page, width=session.parallel)
    async for page in pages:
        for row in seen.new(page.rows):
            if keep(row):
                targets.append(Target(row.id, row.subscription.status, sequence_id))
    if pages.ceiling is not None:
        err.write(
            cut_short(
                "selection", len(seen.ids), f"runs of {sequence_id}", pages.ceiling,
                "only those can be changed from here",
            )
        )  # fmt: skip
    return targets


async def run(
    settings: Settings,
    action_name: str,
    run_ids: list[str],
    *,
    sequence: str | None = None,
    status: str | None = None,
    reason: str | None = None,
    yes: bool = False,
    dry_run: bool = False,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    action = ACTIONS[action_name]
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    err = err or sys.stderr
    # Refusals first: nothing is read or sent before every one of them has passed. A dry
    # run changes nothing, so it is allowed read-only: a way to see what a change would do.
    if not settings.allow_changes and not dry_run:
        raise ConfigError(refusal(settings, action))
    if settings.offline:
        raise ConfigError(f"{action.verb} needs Close: not with --offline. Nothing was sent.")
    if sequence is None and (status or reason):
        raise ConfigError("--status and --reason choose runs of a --sequence: give one.")
    if sequence is not None and run_ids:
        raise ConfigError("Give run ids or --sequence, not both.")
    if sequence is not None and not sequence.strip():
        raise ConfigError("--sequence needs a sequence id (seq_…), and it was empty.")
    if sequence is None and not run_ids:
        raise ConfigError(
            f"Which runs? closetui {action.name} RUN_ID… (or - to read them from stdin), "
            "or --sequence SEQ_ID --status S."
        )
    asks = not yes and not dry_run
    if asks and ("-" in run_ids or not stdin.isatty()):
        raise ConfigError(
            f"{action.verb} asks before it changes anything, and there is no terminal to ask "
            "at: add --yes (or --dry-run to see what it would send). Nothing was sent."
        )
    ids, bad = _ids(run_ids, stdin, err)
    if sequence is None and not ids:
        raise ConfigError("No run ids to act on (a run id is sub_…). Nothing was sent.")

    if dry_run and sequence is None:
        # Ids need no reading to say what would be sent: a dry run of them sends nothing.
        for run_id in ids:
            out.write(action.request(settings.base_url, run_id) + "\n")
        err.write(f"closetui {action.name}: dry run, {len(ids):,} request(s) shown, none sent\n")
        return EXIT_FAILED if bad else EXIT_OK

    async with open_session(settings) as session:
        assert session.client is not None
        failed: list[Outcome] = []
        if sequence is not None:
            targets = await _selection(session, sequence, status, reason, err)
        else:
            targets, failed = await read_targets(session.client, ids)
            for outcome in failed:
                out.write(inert(outcome.describe()) + "\n")
        targets, already = already_so(action, targets)
        if already:
            err.write(f"closetui {action.name}: {left_alone(action, already)}\n")
        if not targets:
            err.write(f"closetui {action.name}: no runs to change; nothing was sent\n")
            return EXIT_FAILED if failed or bad else EXIT_OK
        if dry_run:
            for target in targets:
                out.write(action.request(settings.base_url, target.id) + "\n")
            err.write(
                f"closetui {action.name}: dry run, {len(targets):,} request(s) shown, "
                "none sent (the runs were read to choose them)\n"
            )
            return EXIT_FAILED if failed or bad else EXIT_OK
        name = await _sequence_name(session, {t.sequence_id for t in targets if t.sequence_id})
        if asks:
            expected = expected_answer(len(targets))
            err.write(f"{question(action, targets, name)} Type {expected} to go on: ")
            err.flush()
            if not confirmed(stdin.readline(), len(targets)):
                err.write(f"closetui {action.name}: not confirmed; nothing was sent\n")
                return EXIT_FAILED

        def tell(outcome: Outcome) -> None:
            out.write(inert(outcome.describe()) + "\n")
            out.flush()

        outcomes = await apply(session.client, session.cache, action, targets, tell)
    refused = [o for o in outcomes if not o.ok]
    asked = len(outcomes) + len(failed) + bad
    missed = len(refused) + len(failed) + bad
    line = summary(action, outcomes)
    if missed:
        # A partial failure never reads as success: the count, then each run and its reason.
        err.write(f"closetui {action.name}: {line}; {missed:,} of {asked:,} not changed\n")
        for outcome in [*failed, *refused]:
            err.write(f"  {inert(outcome.describe())}\n")
        return EXIT_FAILED
    err.write(f"closetui {action.name}: {line}\n")
    return EXIT_OK
