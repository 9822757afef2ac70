"""`closetui who PERSON`: every run of one person across every sequence, with why each run
stopped in words. PERSON is a contact id (`cont_…`), a lead id (`lead_…`), an email address or
a name; an email or a name is resolved to contacts first (`closetui.names.people`)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from closetui.close.paging import Seen, pages_in_order
from closetui.close.people import Contact, Lead, Person
from closetui.commands.common import cut_short, open_session
from closetui.commands.listing import SortedWriter, choose_format, parse_sort, refuse_columns
from closetui.commands.output import OutColumn, TableWriter, choose_columns
from closetui.commands.subscriptions import name_rows
from closetui.config.settings import Settings
from closetui.errors import CloseTuiError, ConfigError, NotFound, OfflineEmpty, SkipCeiling
from closetui.lists.person import PERSON_ORDERS, PersonRunRow, PersonSource
from closetui.names.lookups import CONTACT, LEAD
from closetui.names.people import MAX_PEOPLE, resolve
from closetui.present.reasons import reason_words
from closetui.present.sheet import format_age
from closetui.session import Session
from closetui.textsafe import inert


class NoOne(CloseTuiError):
    """No person matches, or several do: exit 1, with the words to say."""


def _date(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else ""


def _sequence(row: PersonRunRow) -> str:
    return row.sequence_name or row.subscription.sequence_id or "?"


def _person(row: PersonRunRow) -> str:
    if row.contact_name:
        return f"{row.contact_name} · {row.contact}"
    if row.contact_name == "":
        return f"(deleted) · {row.contact}"
    return row.contact


def _lead(row: PersonRunRow) -> str:
    if row.lead_name is None:
        return ""
    return row.lead_name or "(deleted)"


def _words(row: PersonRunRow) -> str:
    return reason_words(row.reason)


def _sub(get: Any) -> Any:
    return lambda r: get(r.subscription) or ""


COLUMNS = [
    # In a narrow table the lesser columns give way (highest `drop` first).
    OutColumn("SEQUENCE", _sequence, lambda r: r.sequence_name, 28),
    OutColumn("STATUS", lambda r: r.status, lambda r: r.status, 8, status=True),
    OutColumn(
        "REASON", lambda r: reason_words(r.reason) or "—", lambda r: reason_words(r.reason), 22
    ),
    OutColumn("SENDER", lambda r: r.sender, _sub(lambda s: s.sender_email), 16, drop=4),
    OutColumn("STARTED", lambda r: r.started, _sub(lambda s: _date(s.start_date)), 11, drop=2),
    OutColumn("UPDATED", lambda r: r.updated, _sub(lambda s: _date(s.date_updated)), 10, drop=3),
    OutColumn("LEAD", _lead, _lead, 18, drop=1),
    OutColumn("SEQUENCE_ID", _sub(lambda s: s.sequence_id), _sub(lambda s: s.sequence_id), 30,
              clip=False),
    OutColumn("STATUS_REASON", _sub(lambda s: s.status_reason), _sub(lambda s: s.status_reason),
              20),
    OutColumn("ID", lambda r: r.id, lambda r: r.id, 26, clip=False),
    OutColumn("CONTACT_ID", _sub(lambda s: s.contact_id), _sub(lambda s: s.contact_id), 30,
              clip=False),
    OutColumn("LEAD_ID", _sub(lambda s: s.lead_id), _sub(lambda s: s.lead_id), 30, clip=False),
    OutColumn("CONTACT", _person, lambda r: r.contact_name or "", None),
]  # fmt: skip
# Close's values and ids, for programs: in TSV, CSV and JSON, and in a table when asked for.
FOR_PROGRAMS = ("sequence_id", "status_reason", "id", "contact_id", "lead_id")


# `--sort`'s columns: the person view's orders, by the same names.
SORT_KEYS = {name: order.key for name, order in PERSON_ORDERS.items()}


def _many(text: str, people: list[Person], err: TextIO) -> NoOne:
    """The people that match, listed on stderr (a line each); the error to end with."""
    shown = people[:MAX_PEOPLE]
    for person in shown:
        err.write(f"  {person.label()}\n")
    more = " (and more: narrow it)" if len(people) > MAX_PEOPLE else ""
    return NoOne(
        f"{len(shown)} people match {text!r}{more}: pass one of the ids above "
        "(closetui who cont_…)."
    )


async def _one(session: Session, text: str, err: TextIO) -> Person:
    found = await resolve(text, session.cache, session.lookups, session.client)
    for notice in found.notices:
        err.write(f"closetui who: {inert(notice)}\n")
    if not found.people:
        where = "in Close" if found.asked_close else "in the cache"
        hint = "" if found.asked_close else " (run `closetui sync --subscriptions` online first)"
        raise NoOne(f"No one matches {text!r} {where}{hint}.")
    if len(found.people) > 1:
        raise _many(text, found.people, err)
    return found.people[0]


def _cached(
    session: Session, source: PersonSource, writer: TableWriter | SortedWriter, seen: Seen
) -> float | None:
    """The person's cached runs, written; when the oldest of them was fetched."""
    skip, oldest = 0, None
    lookups = session.lookups
    while (items := source.cached_items(skip)) is not None:
        raw_by_id = {item["id"]: item for item, _ in items if isinstance(item, dict)}
        for row in seen.new(source.rows_of(items)):
            sub = row.subscription
            row.named(
                lookups.party_name(CONTACT, sub.contact_id), lookups.party_name(LEAD, sub.lead_id)
            )
            writer.write(row, raw_by_id.get(row.id, {"id": row.id}))
            oldest = row.fetched_at if oldest is None else min(oldest, row.fetched_at)
        if not source.has_own_pages():
            break  # the runs seen in each sequence's cached pages come as one page
        skip += source.limit
    return oldest


async def run(
    settings: Settings,
    person: str,
    *,
    fmt: str | None = None,
    sort: str | None = None,
    columns: str | None = None,
    header: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    if not person.strip():
        raise ConfigError("Give a person: closetui who cont_… | lead_… | EMAIL | NAME")
    out = out or sys.stdout
    err = err or sys.stderr
    order = parse_sort(sort, SORT_KEYS, {})
    fmt = choose_format(fmt, out)
    refuse_columns(fmt, columns)
    default = tuple(c.name for c in COLUMNS if fmt != "table" or c.name not in FOR_PROGRAMS)
    chosen, by_hand = choose_columns(COLUMNS, default, columns, order[0] if order else None)
    keep = (order[0],) if order else ()
    table = TableWriter(fmt, out, chosen, chosen=by_hand, header=header, keep=keep)
    writer: TableWriter | SortedWriter = table if order is None else SortedWriter(table, *order[1:])
    seen = Seen()
    cut: SkipCeiling | None = None
    async with open_session(settings) as session:
        who = await _one(session, person, err)
        source = session.person_runs(who)
        writer.start()
        if not session.online:
            oldest = _cached(session, source, writer, seen)
            if oldest is not None:
                age = format_age(time.time() - oldest)
                err.write(f"closetui who: offline: these runs as cached {age}\n")
            if not seen.ids:
                raise OfflineEmpty(
                    f"Offline, and no runs of {who.label()} are cached: run "
                    "`closetui sync --subscriptions` online first."
                )
        else:
            pages = pages_in_order(source.fetch_page, width=session.parallel)
            async for page in pages:
                assert page.page is not None
                raw_by_id = {r["id"]: r for r in page.page.raw}
                rows = seen.new(page.rows)
                await name_rows(rows, session.lookups)
                for row in rows:
                    writer.write(row, raw_by_id[row.id])
                writer.flush()
            cut = pages.ceiling
        writer.finish()
        if not seen.ids:
            err.write(f"closetui who: {inert(await _in_no_sequence(session, who))}\n")
    if cut is not None:
        err.write(cut_short("who", len(seen.ids), f"runs of {who.label()}", cut))
    return 0


async def _in_no_sequence(session: Session, who: Person) -> str:
    """What to say of a person with no runs: that Close has no such contact or lead (an
    error), or that they are in no sequence (`GET /contact/{id}/` or `/lead/{id}/`)."""
    if session.client is None:
        return f"{who.label()} is in no sequence the cache knows of."
    kind = "contact" if who.is_contact else "lead"
    try:
        body = await session.client.get_raw(kind, who.id)
    except NotFound:
        raise NoOne(f"No {kind} {who.id} in Close.") from None
    found = Contact.from_api(body) if who.is_contact else Lead.from_api(body)
    return f"{found.name or who.id} is in no sequence."
