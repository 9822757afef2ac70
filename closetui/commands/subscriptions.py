"""`closetui subscriptions SEQ_ID`: every run of a sequence, streamed as pages arrive, for a
spreadsheet or a script; with `--names`, who each run is for (one request per distinct lead
and contact, within the rate limit, cached)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from closetui.close.paging import Seen, pages_in_order
from closetui.commands.common import (
    check_sequence,
    cut_short,
    open_session,
    say_offline_age,
    statuses,
)
from closetui.commands.listing import SortedWriter, choose_format, parse_sort, refuse_columns
from closetui.commands.output import OutColumn, TableWriter, choose_columns
from closetui.config.settings import Settings
from closetui.errors import ConfigError, OfflineEmpty, SkipCeiling
from closetui.lists.query import RUN_STATUSES
from closetui.lists.runs import KIND, SubscriptionRow
from closetui.names.lookups import CONTACT, LEAD, Lookups
from closetui.present.reasons import reason_words


def _date(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else ""


def _sub(get: Any) -> Any:
    return lambda r: get(r.subscription) or ""


# Every column `subscriptions` can print, in its order; the app's names, and three more.
RUN_COLUMNS = [
    OutColumn("ID", lambda r: r.id, lambda r: r.id, 26, clip=False),
    OutColumn("STATUS", lambda r: r.status, lambda r: r.status, 8, status=True),
    # In words for a person ("email bounced"); Close's value for a program.
    OutColumn("REASON", lambda r: reason_words(r.reason) or "—", lambda r: r.reason, 20, drop=3),
    OutColumn("STARTED", lambda r: r.started, _sub(lambda s: _date(s.start_date)), 11, drop=2),
    OutColumn("UPDATED", lambda r: r.updated, _sub(lambda s: _date(s.date_updated)), 10, drop=6),
    OutColumn("SENDER", lambda r: r.sender, _sub(lambda s: s.sender_email), 18, drop=5),
    OutColumn("CONTACT_NAME", lambda r: r.contact_name or "", lambda r: r.contact_name or "", 20),
    OutColumn("LEAD", lambda r: _lead(r), lambda r: _lead(r), 20, drop=4),
    OutColumn("LEAD_ID", lambda r: r.subscription.lead_id or "", _sub(lambda s: s.lead_id), 30),
    OutColumn("CONTACT", lambda r: r.contact, lambda r: r.contact),
]
NAMED = ("contact_name", "lead")  # the columns that need --names


def _default(names: bool, fmt: str) -> tuple[str, ...]:
    shown = ["id", "status", "reason", "started", "updated", "sender", "contact"]
    if names:
        shown += NAMED
    if fmt != "table":
        shown.append("lead_id")  # ids for programs, not for people
    return tuple(shown)


SORT_KEYS: dict[str, Callable[[SubscriptionRow], Any]] = {
    "id": lambda r: r.id,
    "contact": lambda r: r.contact.casefold(),
    "contact_name": lambda r: (r.contact_name or "").casefold(),
    "lead": lambda r: (r.lead_name or "").casefold(),
    "status": lambda r: r.status.casefold(),
    "reason": lambda r: r.reason.casefold(),
    "sender": lambda r: r.sender.casefold(),
    "started": lambda r: r.started.lstrip("~"),
    "updated": lambda r: r.updated,
    "lead_id": lambda r: r.subscription.lead_id or "",
}


def _contact_name(row: SubscriptionRow) -> str:
    return row.contact_name or ""


def _lead(row: SubscriptionRow) -> str:
    if row.lead_name is None:
        return ""
    return row.lead_name or "(deleted)"


async def name_rows(rows: Sequence[SubscriptionRow], lookups: Lookups) -> None:
    """The contact and lead names of these runs, looked up (once each) and put on them."""
    wanted = [(kind, party) for r in rows for kind, party in
              ((CONTACT, r.subscription.contact_id), (LEAD, r.subscription.lead_id))]  # fmt: skip
    await lookups.look_up_parties(wanted)
    for row in rows:
        sub = row.subscription
        row.named(
            lookups.party_name(CONTACT, sub.contact_id), lookups.party_name(LEAD, sub.lead_id)
        )


async def run(
    settings: Settings,
    sequence_id: str,
    *,
    fmt: str | None = None,
    status: str | None = None,
    names: bool = False,
    sort: str | None = None,
    columns: str | None = None,
    header: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    if not sequence_id.strip():
        raise ConfigError("Give a sequence id: closetui subscriptions SEQ_ID")
    out = out or sys.stdout
    err = err or sys.stderr
    wanted = statuses(status, RUN_STATUSES, "run")
    order = parse_sort(sort, SORT_KEYS, {})
    fmt = choose_format(fmt, out)
    refuse_columns(fmt, columns)
    chosen, by_hand = choose_columns(
        RUN_COLUMNS, _default(names, fmt), columns, order[0] if order else None
    )
    names = names or any(c.name in NAMED for c in chosen)  # a name column needs the names
    keep_names = (order[0],) if order else ()
    table = TableWriter(fmt, out, chosen, chosen=by_hand, header=header, keep=keep_names)
    writer: TableWriter | SortedWriter = table if order is None else SortedWriter(table, *order[1:])
    seen = Seen()
    cut: SkipCeiling | None = None  # Close's `_skip` maximum ended the list

    def keep(row: SubscriptionRow) -> bool:
        return not wanted or row.status.casefold() in wanted

    async with open_session(settings) as session:
        source = session.subscriptions(sequence_id)
        await check_sequence(session, sequence_id)
        writer.start()
        if not session.online:
            skip = 0
            oldest: float | None = None
            while (rows := source.cached_page(skip)) is not None:
                stored = session.cache.page(KIND, sequence_id, skip)
                raw_by_id = {r["id"]: r for r in (stored[0] if stored else []) if "id" in r}
                kept = []
                for row in seen.new(rows):
                    oldest = row.fetched_at if oldest is None else min(oldest, row.fetched_at)
                    if keep(row):
                        kept.append(row)
                if names:  # offline, the names the cache has (no request is made)
                    await name_rows(kept, session.lookups)
                for row in kept:
                    writer.write(row, raw_by_id.get(row.id, {"id": row.id}))
                skip += source.limit
            if not seen.ids:
                raise OfflineEmpty(
                    f"Offline, and no runs of {sequence_id} are cached: open them in the app "
                    "online first."
                )
            say_offline_age(session, oldest, err)
        else:
            pages = pages_in_order(source.fetch_page, width=session.parallel)
            async for page in pages:
                assert page.page is not None
                raw_by_id = {r["id"]: r for r in page.page.raw}
                rows = [r for r in seen.new(page.rows) if keep(r)]
                if names:
                    await name_rows(rows, session.lookups)
                for row in rows:
                    writer.write(row, raw_by_id[row.id])
                writer.flush()
            cut = pages.ceiling
        writer.finish()
    if cut is not None:
        err.write(cut_short("subscriptions", len(seen.ids), f"runs of {sequence_id}", cut))
    return 0
