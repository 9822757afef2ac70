"""The `closetui` command: options, subcommands and exit codes.

Exit status: 0 ok, 1 an error, 2 usage or configuration, 3 the key was refused,
4 offline with nothing cached. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from closetui import __version__
from closetui.commands import SHELLS
from closetui.config.settings import Settings, default_log_dir, load_settings
from closetui.errors import AuthError, CloseTuiError, ConfigError, OfflineEmpty
from closetui.logs import log, setup_logging
from closetui.signals import ENDING, die_of
from closetui.textsafe import inert

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_AUTH, EXIT_OFFLINE_EMPTY = 0, 1, 2, 3, 4


CONNECTION_NOTE = (
    "The connection options (--profile, --demo, --offline, --base-url, --page-size, "
    "--api-key-file, --trace) work here too: see closetui --help."
)


def _add_connection_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # The same options work before and after a subcommand; on subcommands they default to
    # "not given" so they do not overwrite a value given before the subcommand.
    default: Any = None if top else argparse.SUPPRESS
    flag: Any = False if top else argparse.SUPPRESS
    group = parser.add_argument_group("connection options (before or after the command)")
    group.add_argument(
        "--profile",
        metavar="NAME",
        default=default,
        help="use the account [profiles.NAME] of the config file (env CLOSETUI_PROFILE; "
        "closetui profiles lists them)",
    )
    group.add_argument(
        "--demo", action="store_true", default=flag, help="use the built-in demo organization"
    )
    group.add_argument(
        "--offline", action="store_true", default=flag, help="read only the cache; no requests"
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default,
        help="Close API base URL (env CLOSE_BASE_URL; default https://api.close.com/api/v1/)",
    )
    group.add_argument(
        "--page-size", type=int, metavar="N", default=default, help="sequences per page (1-100)"
    )
    group.add_argument(
        "--trace",
        metavar="FILE",
        default=default,
        help="append every HTTP exchange to FILE as JSON lines, key-free (env CLOSETUI_TRACE)",
    )
    group.add_argument(
        "--api-key-file",
        metavar="PATH",
        default=default,
        help="read the API key from this file (else env CLOSE_API_KEY, else the config file)",
    )
    if not top:
        # Described once, in `closetui --help`: repeated in every command's help they would
        # bury what the command itself takes.
        for action in group._group_actions:
            action.help = argparse.SUPPRESS
        parser.epilog = (
            f"{parser.epilog}\n\n{CONNECTION_NOTE}" if parser.epilog else CONNECTION_NOTE
        )


def _add_columns_options(parser: argparse.ArgumentParser, names: str, default: str) -> None:
    parser.add_argument(
        "--columns",
        metavar="C[,C…]",
        help=f"the columns to print, in this order: a comma list of {names}. Default: "
        f"{default}; a narrow table drops lesser ones to give the last one room",
    )
    parser.add_argument(
        "--header", action="store_true", help="a header row in tsv too (table and csv have one)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="closetui",
        description="Browse the Sequences (workflows) of a Close organization in the terminal.",
        epilog="Run with no command to open the browser. Try it without an account: "
        "closetui --demo",
    )
    parser.add_argument("--version", action="version", version=f"closetui {__version__}")
    _add_connection_options(parser, top=True)
    parser.add_argument(
        "--watch",
        metavar="DURATION",
        help="in the browser: refresh the loaded pages (and an open runs list) every DURATION "
        "(30s at least; e.g. 2m, 1h; config: watch); W toggles it",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser(
        "list",
        help="print every sequence, streamed page by page",
        description="Print every sequence as pages arrive: a table on a terminal, TSV when "
        "piped, unless --format says otherwise. JSON is the API's objects, unchanged.",
    )
    _add_connection_options(listing, top=False)
    listing.add_argument(
        "--status",
        metavar="S[,S…]",
        help="only sequences with this status, or any of a comma list (active, paused, draft), "
        "as status: in the app's filter",
    )
    listing.add_argument("--filter", metavar="TEXT", help="only names containing TEXT")
    listing.add_argument(
        "--format",
        choices=("table", "tsv", "csv", "json", "jsonl"),
        help="table on a terminal, tsv when piped, unless given; tsv has no header row "
        "(for cut and awk) unless --header",
    )
    listing.add_argument(
        "--sort",
        metavar="COLUMN[:desc]",
        help="order by a column (id, name, status, err, act, pau, steps, span, updated), "
        "which is then always printed; the list is read whole before it is printed",
    )
    _add_columns_options(
        listing,
        "id, name, status, err, act, pau, steps, span, updated",
        "id,status,steps,span,updated,name",
    )

    show = commands.add_parser(
        "show",
        help="one sequence's heading and cadence, as text",
        description="The sequence's heading and cadence, as the detail pane draws them.",
    )
    _add_connection_options(show, top=False)
    show.add_argument("sequence_id", metavar="SEQ_ID", help="the sequence's id (seq_…)")
    show.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    show.add_argument(
        "--bodies",
        action="store_true",
        help="what each step says (the template's text) under it; with --format json, as "
        "body_text in a step_bodies list",
    )
    show.add_argument(
        "--full",
        action="store_true",
        help="the full timeline (a line for each detail) instead of a line for each step",
    )
    show.add_argument(
        "--history",
        action="store_true",
        help="also every version the cache kept, newest first, with what changed in each",
    )

    runs = commands.add_parser(
        "subscriptions",
        help="every run (subscription) of a sequence, streamed page by page",
        description="Every subscription of a sequence as pages arrive: a table on a terminal, "
        "TSV when piped, CSV or JSON on request. --names adds the contact's and the lead's "
        "names (one request per distinct lead and contact, cached).",
    )
    _add_connection_options(runs, top=False)
    runs.add_argument(
        "sequence_id", metavar="SEQ_ID", help="the sequence's id (seq_…), as list prints it"
    )
    runs.add_argument(
        "--status",
        metavar="S[,S…]",
        help="only runs with this status, or any of a comma list (active, paused, finished, "
        "goal, error)",
    )
    runs.add_argument("--names", action="store_true", help="look up contact and lead names")
    runs.add_argument(
        "--format",
        choices=("table", "tsv", "csv", "json", "jsonl"),
        help="table on a terminal, tsv when piped, unless given; tsv has no header row "
        "(for cut and awk) unless --header; json is the API's objects, unchanged",
    )
    runs.add_argument(
        "--sort",
        metavar="COLUMN[:desc]",
        help="order by a column (id, contact, contact_name, lead, status, reason, sender, "
        "started, updated, lead_id), which is then always printed; read whole first",
    )
    _add_columns_options(
        runs,
        "id, contact, contact_name, lead, status, reason, sender, started, updated, lead_id "
        "(contact_name and lead look the names up)",
        "id,status,reason,started,updated,sender,contact, and contact_name,lead with --names, "
        "and lead_id in tsv and csv",
    )

    who = commands.add_parser(
        "who",
        help="one person's runs in every sequence, and why each stopped",
        description="Every run (subscription) of one person across all sequences: the "
        "sequence, status, reason in words, sender, dates, names. PERSON is a contact id "
        "(cont_…), a lead id (lead_…), an email address or a name; an email or a name is "
        "looked up in the cache and, online, with Close's search. Several matches are "
        "listed (exit 1): pass one of their ids.",
    )
    _add_connection_options(who, top=False)
    who.add_argument("person", metavar="PERSON", help="cont_…, lead_…, an email or a name")
    who.add_argument("--format", choices=("table", "tsv", "csv", "json", "jsonl"))
    who.add_argument(
        "--sort",
        metavar="COLUMN[:desc]",
        help="sequence, status, reason, sender, started or updated, as the person view sorts "
        "(:desc for the other way round); the runs are read whole before they are printed",
    )
    _add_columns_options(
        who,
        "sequence, status, reason, sender, started, updated, lead, sequence_id, "
        "status_reason, id, contact_id, lead_id, contact",
        "sequence,status,reason,sender,started,updated,lead,contact (and the ids in tsv, csv)",
    )

    sync = commands.add_parser(
        "sync",
        help="fetch every sequence, user and template into the cache",
        description="Fill the cache for offline use. Safe to interrupt: run it again to resume.",
    )
    _add_connection_options(sync, top=False)
    sync.add_argument(
        "--subscriptions",
        action="store_true",
        help="also each sequence's subscription counts and runs (one request per sequence, "
        "and one per page of its runs), so that `closetui who` works offline",
    )

    doctor = commands.add_parser(
        "doctor",
        help="check the setup: config, key, Close, cache, log, terminal",
        description="One line per check, ✓ or ✗ with the fix. Exit 0 when all pass, 1 when "
        "any fails, 3 when Close refuses the key. --offline skips the network checks.",
    )
    _add_connection_options(doctor, top=False)
    doctor.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )

    cache = commands.add_parser(
        "cache",
        help="the local cache: where, what, clearing it",
        description="The local cache of each account: where it is, what it holds, clearing it.",
    )
    _add_connection_options(cache, top=False)
    cache_commands = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    for name, text in (
        ("path", "print the cache folder and this account's file"),
        ("info", "accounts, sizes, counts, last complete pass"),
    ):
        _add_connection_options(
            cache_commands.add_parser(name, help=text, description=text[0].upper() + text[1:]),
            top=False,
        )
    clear = cache_commands.add_parser(
        "clear",
        help="delete this account's cache (or --all)",
        description="Delete this account's cache, or every account's with --all. Asks first "
        "unless --yes.",
    )
    _add_connection_options(clear, top=False)
    clear.add_argument("--all", action="store_true", help="every account's cache")
    clear.add_argument("--yes", "-y", action="store_true", help="do not ask first")

    profiles = commands.add_parser(
        "profiles",
        help="the accounts of the config file, and where each key comes from",
        description="Each [profiles.NAME] of the config file: its organization (as its cache "
        "knows it), where its key comes from (never the key) and its last complete pass. "
        "* marks the one in force.",
    )
    _add_connection_options(profiles, top=False)
    profiles.add_argument(
        "--names", action="store_true", help="only the names, one a line (for scripts)"
    )

    _add_change_commands(commands)

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for SHELL on stdout. The README says\n"
        "where to put it; for bash:\n\n  closetui completion bash > "
        "~/.local/share/bash-completion/completions/closetui",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    completion.add_argument("shell", metavar="SHELL", choices=SHELLS, help=" | ".join(SHELLS))

    changes = commands.add_parser(
        "changes",
        help="what changed across the cached sequences, newest first",
        description="Every change the cache saw between versions of a sequence (a wait, a "
        "rename, a step added or removed, a status), newest first. It reads the cache only: "
        "closetui sync or the app bring new versions in.",
    )
    _add_connection_options(changes, top=False)
    changes.add_argument(
        "--since", metavar="AGE|DATE", help="only changes seen since: 7d, 12h, 30m, or 2026-11-30"
    )
    changes.add_argument(
        "--format", choices=("table", "json", "jsonl"), default="table", help="table (default)"
    )
    return parser


CHANGE_COMMANDS = {
    "pause": 'pause runs: PUT {"status": "paused"} for each',
    "resume": 'resume runs: PUT {"status": "active"} for each (errored ones too: Close decides)',
    "unsubscribe": "remove runs from their sequence: DELETE each",
}


def _add_change_commands(commands: Any) -> None:
    """pause, resume, unsubscribe: the only commands that change anything in Close."""
    for name, text in CHANGE_COMMANDS.items():
        change = commands.add_parser(
            name,
            help=text,
            description=f"{text[0].upper()}{text[1:]}. Only with allow_changes = true in the "
            "profile or at the top of the config file; asks first (type the number of runs, "
            "or y for one) unless --yes. One line per run on stdout; exit 1 if any run was "
            "not changed, 2 when refused before anything was sent.",
        )
        _add_connection_options(change, top=False)
        change.add_argument(
            "run_ids", nargs="*", metavar="RUN_ID", help="runs (sub_…); - reads them from stdin"
        )
        change.add_argument("--sequence", metavar="SEQ_ID", help="every run of this sequence…")
        change.add_argument("--status", metavar="S", help="…with this status (e.g. error)")
        change.add_argument("--reason", metavar="R", help="…and this reason (e.g. email-bounced)")
        change.add_argument("--yes", "-y", action="store_true", help="do not ask first")
        change.add_argument(
            "--dry-run", action="store_true", help="print the requests it would send; send none"
        )


def _settings(args: argparse.Namespace, *, need_key: bool = True) -> Settings:
    settings = load_settings(
        demo=args.demo,
        offline=args.offline,
        base_url=args.base_url,
        page_size=args.page_size,
        api_key_file=args.api_key_file,
        trace=args.trace,
        need_key=need_key and not args.offline,  # offline, the key only names the cache
        profile=args.profile,
        watch=getattr(args, "watch", None),
    )
    if need_key and args.offline:
        from closetui.config.offline import choose_cached_account

        return choose_cached_account(settings)
    return settings


def _error(message: str) -> None:
    # Messages may quote the server (an error text, a header): inert before the terminal.
    print(f"closetui: {inert(message)}", file=sys.stderr)


def _warn(settings: Settings) -> None:
    for warning in settings.warnings:
        _error(warning)


def _cache(args: argparse.Namespace, settings: Settings) -> int:
    from closetui.commands import cache

    if args.cache_command == "path":
        return cache.path(settings)
    if args.cache_command == "info":
        return cache.info(settings)
    return cache.clear(settings, everything=args.all, yes=args.yes)


def _doctor(args: argparse.Namespace) -> int:
    from closetui.commands import doctor

    # Doctor runs even when the configuration does not read: saying why is its job.
    settings: Settings | None = None
    problem: ConfigError | None = None
    try:
        settings = _settings(args, need_key=False)
    except ConfigError as exc:
        problem = exc
    return asyncio.run(
        doctor.run(settings, config_error=problem, fmt=args.format, offline=args.offline)
    )


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "list":
        from closetui import prefetch

        # Page 0 goes out while the command imports and opens the cache. Not for the demo,
        # which would build a second organization on the thread, nor with --trace, whose
        # file one client writes.
        early = not settings.demo and settings.trace_path is None
        first_page = prefetch.start(settings, cached_too=True) if early else None
        from closetui.commands import listing

        return asyncio.run(
            listing.run(
                settings,
                first_page=first_page,
                fmt=args.format,
                status=args.status,
                text=args.filter,
                sort=args.sort,
                columns=args.columns,
                header=args.header,
            )
        )
    if args.command == "subscriptions":
        from closetui.commands import subscriptions

        return asyncio.run(
            subscriptions.run(
                settings,
                args.sequence_id,
                fmt=args.format,
                status=args.status,
                names=args.names,
                sort=args.sort,
                columns=args.columns,
                header=args.header,
            )
        )
    if args.command == "who":
        from closetui.commands import who

        return asyncio.run(
            who.run(
                settings,
                args.person,
                fmt=args.format,
                sort=args.sort,
                columns=args.columns,
                header=args.header,
            )
        )
    if args.command == "show":
        from closetui.commands import show

        return asyncio.run(
            show.run(
                settings,
                args.sequence_id,
                fmt=args.format,
                bodies=args.bodies,
                full=args.full,
                history=args.history,
            )
        )
    if args.command == "changes":
        from closetui.commands import changes

        return asyncio.run(changes.run(settings, since=args.since, fmt=args.format))
    if args.command == "sync":
        from closetui.commands import sync

        return asyncio.run(sync.run(settings, subscriptions=args.subscriptions))
    if args.command in CHANGE_COMMANDS:
        from closetui.commands import act

        return asyncio.run(
            act.run(
                settings,
                args.command,
                args.run_ids,
                sequence=args.sequence,
                status=args.status,
                reason=args.reason,
                yes=args.yes,
                dry_run=args.dry_run,
            )
        )
    return _browse(settings)


def _browse(settings: Settings) -> int:
    from closetui import prefetch

    if settings.trace_path is not None:  # (httpx stays off the main thread's start-up path)
        from closetui.connect import open_trace

        trace = open_trace(settings)  # a trace that cannot be written stops here, exit 2
        if trace is not None:
            trace.close()

    first_page = prefetch.start(settings)  # on its way while Textual imports
    # What start-up makes (modules, classes, styles, the first rows) lives as long as the app:
    # the cyclic collector would only walk it over and over before the first frame. The app
    # turns it back on once that frame is drawn.
    gc.disable()
    from closetui.tui.app import run_app

    return run_app(settings, first_page=first_page)


class _Signalled(BaseException):
    """SIGTERM or SIGHUP during a command: unwinds it like Ctrl+C, so that what it holds is
    closed (the cache, the progress bar's hidden cursor) before the process ends."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _unwind(signum: int, frame: object) -> None:
    raise _Signalled(signum)


@contextlib.contextmanager
def _unwinding_on_signals(active: bool) -> Iterator[None]:
    """SIGTERM and SIGHUP unwind a command while it runs; the handlers that were there
    before come back after (main() is also called in-process, by tests)."""
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.signal(signum, _unwind) for signum in ENDING}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        with _unwinding_on_signals(args.command is not None):
            return _main(parser, args)
    except KeyboardInterrupt:
        return 130  # Ctrl+C before a command began or after it ended: no traceback


def _main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    settings: Settings | None = None
    log_path = setup_logging(default_log_dir())
    try:
        if args.command == "show" and not args.sequence_id.strip():
            raise ConfigError("closetui show needs a sequence id (seq_…), and it was empty.")
        if args.command == "cache":
            settings = _settings(args, need_key=False)
            _warn(settings)
            return _cache(args, settings)
        if args.command == "doctor":
            return _doctor(args)
        if args.command == "profiles":
            from closetui.commands import profiles

            return profiles.run(args.profile, names_only=args.names)
        if args.command == "completion":
            from closetui.commands.completion import script

            sys.stdout.write(script(parser, args.shell))
            return EXIT_OK
        settings = _settings(args)
        _warn(settings)
        return _run(args, settings)
    except _Signalled as exc:
        if args.command == "sync":
            _error("stopped: run `closetui sync` again to continue where it stopped")
        die_of(exc.signum)
        return 128 + exc.signum
    except ConfigError as exc:
        _error(exc.message)
        return EXIT_USAGE
    except AuthError as exc:
        source = f" The key came from {settings.key_source}." if settings else ""
        _error(f"{exc.message.rstrip('.')}.{source}")  # Close's text may end in its own
        return EXIT_AUTH
    except OfflineEmpty as exc:
        _error(exc.message)
        return EXIT_OFFLINE_EMPTY
    except CloseTuiError as exc:
        _error(exc.message)
        return EXIT_ERROR
    except KeyboardInterrupt:
        if args.command == "sync":
            _error("interrupted: run `closetui sync` again to continue where it stopped")
        return 130
    except BrokenPipeError:
        # `closetui list | head`: the reader left; that is not an error.
        sys.stderr.close()
        return EXIT_OK
    except Exception:
        log.exception("unexpected error")
        where = f" (details in {log_path})" if log_path else ""
        _error(f"unexpected error{where}")
        return EXIT_ERROR
