"""`closetui subscriptions SEQ_ID`: every run of a sequence, streamed as pages arrive, for a
spreadsheet or a script; with `--names`, who each run is for (one request per distinct lead
and contact, within the rate limit, cached)."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from closetui.close.paging import Seen, pages_in_order
from closetui.commands.common import cut_short, open_session
from closetui.commands.listing import choose_format
from closetui.commands.output import OutColumn, TableWriter
from closetui.config.settings import Settings
from closetui.errors import ConfigError, OfflineEmpty, SkipCeiling
from closetui.lists.runs import KIND, SubscriptionRow
from closetui.names.lookups import CONTACT, LEAD, Lookups


def _date(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else ""


def _columns(names: bool) -> list[OutColumn]:
    def sub(get: Any) -> Any:
        return lambda r: get(r.subscription) or ""

    named: list[OutColumn] = []
    if names:
        named = [
            OutColumn(
                "CONTACT_NAME", lambda r: r.contact_name or "", lambda r: r.contact_name or "", 20
            ),
            OutColumn("LEAD", lambda r: _lead(r), lambda r: _lead(r), 20),
        ]
    return [
        OutColumn("ID", lambda r: r.id, lambda r: r.id, 26, clip=False),
        OutColumn("STATUS", lambda r: r.status, lambda r: r.status, 8, status=True),
        # In words for a person ("email bounced"); Close's value for a program.
        OutColumn("REASON", lambda r: r.reason or "—", sub(lambda s: s.status_reason), 22),
        OutColumn("STARTED", lambda r: r.started, sub(lambda s: _date(s.start_date)), 11),
        OutColumn("UPDATED", lambda r: r.updated, sub(lambda s: _date(s.date_updated)), 10),
        OutColumn("SENDER", lambda r: r.sender, sub(lambda s: s.sender_email), 18),
        *named,
        OutColumn("LEAD_ID", lambda r: "", sub(lambda s: s.lead_id), 0),
        OutColumn("CONTACT", lambda r: r.contact, lambda r: r.contact),
    ]


def _contact_name(row: SubscriptionRow) -> str:
    return row.contact_name or ""


def _lead(row: SubscriptionRow) -> str:
    if row.lead_name is None:
        return ""
    return row.lead_name or "(deleted)"


async def _name(rows: list[SubscriptionRow], lookups: Lookups) -> None:
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
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    if not sequence_id.strip():
        raise ConfigError("Give a sequence id: closetui subscriptions SEQ_ID")
    out = out or sys.stdout
    err = err or sys.stderr
    fmt = choose_format(fmt, out)
    columns = _columns(names)
    if fmt == "table":
        columns = [c for c in columns if c.width != 0]  # ids for programs, not for people
    writer = TableWriter(fmt, out, columns)
    seen = Seen()
    wanted = status.casefold() if status else None
    cut: SkipCeiling | None = None  # Close's `_skip` maximum ended the list

    def keep(row: SubscriptionRow) -> bool:
        return wanted is None or row.status.casefold() == wanted

    async with open_session(settings) as session:
        source = session.subscriptions(sequence_id)
        writer.start()
        if not session.online:
            skip = 0
            while (rows := source.cached_page(skip)) is not None:
                stored = session.cache.page(KIND, sequence_id, skip)
                raw_by_id = {r["id"]: r for r in (stored[0] if stored else []) if "id" in r}
                for row in seen.new(rows):
                    if keep(row):
                        writer.write(row, raw_by_id.get(row.id, {"id": row.id}))
                skip += source.limit
            if not seen.ids:
                raise OfflineEmpty(
                    f"Offline, and no runs of {sequence_id} are cached: open them in the app "
                    "online first."
                )
        else:
            pages = pages_in_order(source.fetch_page, width=session.parallel)
            async for page in pages:
                assert page.page is not None
                raw_by_id = {r["id"]: r for r in page.page.raw}
                rows = [r for r in seen.new(page.rows) if keep(r)]
                if names:
                    await _name(rows, session.lookups)
                for row in rows:
                    writer.write(row, raw_by_id[row.id])
                writer.flush()
            cut = pages.ceiling
        writer.finish()
    if cut is not None:
        err.write(cut_short("subscriptions", len(seen.ids), f"runs of {sequence_id}", cut))
    return 0
