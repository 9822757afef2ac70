"""The closetui app: the session's life (and switching it to another profile), fatal errors,
the keys that work everywhere, and the person's keymap and theme.

The main view is `SequencesScreen` (`screens/sequences.py`), the app's default screen.
Widgets never call the API or the cache themselves: the screens ask the session's sources
through workers, and the feed reports back with messages.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import gc
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from closetui.close.models import Page, SequenceListing
from closetui.config.preferences import read_preferences, save_detail_layout, save_theme
from closetui.config.settings import Settings
from closetui.config.tuning import RECONNECT_DELAYS
from closetui.errors import CloseTuiError, ConfigError
from closetui.logs import log
from closetui.session import Session
from closetui.signals import (
    ENDING,
    arm_watchdog,
    die_of,
    disarm_watchdog,
    restore_terminal,
)
from closetui.textsafe import inert
from closetui.tui.driver import GONE, Driver, watch_terminal
from closetui.tui.messages import PersonWanted, ProfileChosen, RequestHeldUp, SettingChosen
from closetui.tui.screens.sequences import SequencesScreen
from closetui.tui.widgets.feed_pane import FeedPane
from closetui.tui.workers import spawn

if TYPE_CHECKING:  # httpx (through the client) loads once the first frame is drawn
    from closetui.close.client import ClientEvent, CloseClient


TOLD_KEPT = 200


@dataclass(frozen=True, slots=True)
class Told:
    """A toast as it was shown."""

    message: str
    title: str
    severity: SeverityLevel


class ClosetuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "closetui"
    DEFAULT_MODE: ClassVar[str] = "account-1"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        # Textual's own palette binding, given an id so that a keymap can move it.
        Binding(
            "ctrl+p",
            "command_palette",
            "palette",
            show=False,
            priority=True,
            tooltip="Open the command palette",
            id="app.palette",
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        client: CloseClient | None = None,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
        first_page: concurrent.futures.Future[Page[SequenceListing]] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._client = client
        self._first_page = first_page
        self.retry_delays = retry_delays
        self.session: Session | None = None
        self._main: SequencesScreen | None = None
        self.log_path: Path | None = None
        self.fatal_message = "unexpected error"
        self.ended_by: int | None = None  # the signal that ended the app, if one did
        # Called as the app starts to end (`q`, a signal, a fatal error): `run_app` arms its
        # watchdog there, so a shutdown that blocks on a vanished terminal cannot hang.
        self.on_ending: Callable[[], None] | None = None
        self._switching = False
        self._network_begun = False  # the first session's network, started once
        # Every toast said this run, newest last (as shown: made inert), for a person's
        # "what did it say?" and for tests.
        self.told: collections.deque[Told] = collections.deque(maxlen=TOLD_KEPT)
        self._accounts = 1
        # The main screen is the base of a mode rather than Textual's default screen, which
        # cannot be replaced: switching accounts replaces the mode.
        self.add_mode(self.DEFAULT_MODE, self.get_default_screen)
        self._apply_preferences()

    # -- keymap and theme --------------------------------------------------------------------

    def _apply_preferences(self) -> None:
        """`[keymap]` and `theme` from the config file. What cannot be used is one line each,
        shown once the app is up, and left out: the app starts regardless."""
        preferences = read_preferences(self.settings.config_path)
        self.start_notices = list(preferences.problems)
        self.keys_in_force: dict[str, str] = {}
        if preferences.keymap:  # (the screens it names are imported only to check it)
            from closetui.tui.keymap import binding_ids, check_keymap

            ids = binding_ids(keymap_owners(type(self)))
            self.keys_in_force, problems = check_keymap(preferences.keymap, ids)
            self.start_notices += problems
        if self.keys_in_force:
            self.set_keymap(self.keys_in_force)
            palette = self.keys_in_force.get("app.palette", "").split(",")[0]
            if len(palette) > 1:  # the footer finds the palette's key by its name
                self.COMMAND_PALETTE_BINDING = palette  # type: ignore[misc]  # (per app)
        self._saved_theme = preferences.theme
        self._theme_save: asyncio.Future[None] | None = None
        if preferences.theme in self.available_themes:
            self.theme = preferences.theme
        elif preferences.theme:
            self.start_notices.append(
                f"theme {preferences.theme!r} is not one closetui knows: using the default "
                "(Ctrl+P, Theme lists them)"
            )

    def _tell_start_notices(self) -> None:
        for notice in self.start_notices:
            log.warning("config: %s", notice)
            self.notify(notice, title="Config", severity="warning", markup=False, timeout=15)

    def _theme_changed(self, theme: Theme) -> None:
        """A theme chosen in the palette is kept for the next start: written off the UI
        thread (a huge config file takes seconds), one save after the other."""
        if theme.name == self._saved_theme:
            return
        self._theme_save = asyncio.ensure_future(self._save_theme(theme.name, self._theme_save))

    async def _save_theme(self, name: str, before: asyncio.Future[None] | None) -> None:
        if before is not None:
            await asyncio.wait({before})
        try:
            await asyncio.to_thread(save_theme, self.settings.config_path, name)
        except ConfigError as exc:
            self.notify(exc.message, title="Theme", severity="warning", markup=False)
            return
        self._saved_theme = name

    def on_setting_chosen(self, message: SettingChosen) -> None:
        """A layout chosen in the app (`v`, `w`) is kept as the theme is: off the UI thread,
        one save after the other."""
        self._theme_save = asyncio.ensure_future(
            self._save_setting(message.key, message.value, self._theme_save)
        )

    async def _save_setting(
        self, key: str, value: str, before: asyncio.Future[None] | None
    ) -> None:
        if before is not None:
            await asyncio.wait({before})
        try:
            await asyncio.to_thread(save_detail_layout, self.settings.config_path, key, value)
        except ConfigError as exc:
            self.notify(exc.message, title="Config", severity="warning", markup=False)

    @property
    def theme_saved(self) -> bool:
        """No theme is waiting to be written (tests wait for this)."""
        return self._theme_save is None or self._theme_save.done()

    # -- the session -------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        self.session = Session.open(self.settings)
        self.session.source.prefetched = self._first_page
        self._main = SequencesScreen(self.session, retry_delays=self.retry_delays)
        return self._main

    @property
    def main(self) -> SequencesScreen:
        """The main view, wherever the screen stack is (and after the app has ended)."""
        if self._main is None:
            raise RuntimeError("the main screen is not up yet")
        return self._main

    def on_mount(self) -> None:
        for warning in self.settings.warnings:  # also on stderr, but the screen hides that
            self.notify(warning, title="Warning", severity="warning", timeout=10)
        self._tell_start_notices()
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(gc.enable)  # off from the command's start to the first frame
        if not self.settings.offline:
            # The client (and httpx) is not needed for the first frame: start it after, or as
            # soon as the early first page has landed (httpx is loaded by then, and the page's
            # rows can be on screen without waiting for a frame of "loading" first).
            self.call_after_refresh(self._start_network_once)
            if self._first_page is not None:
                loop = asyncio.get_running_loop()
                self._first_page.add_done_callback(lambda _: _call_soon(loop, self._page_landed))

    def _page_landed(self) -> None:
        if self._first_page is not None:  # (not when switched to another profile meanwhile)
            self._start_network_once()

    def _start_network_once(self) -> None:
        if not self._network_begun:
            self._network_begun = True
            self._start_network()

    def _start_network(self) -> None:
        assert self.session is not None
        if self._client is not None:
            self._connected(self.session, self._client)
        else:
            # Building the client imports httpx (and, for the demo, builds its organization):
            # off the UI thread, so keys typed meanwhile are answered (and wait for it).
            spawn(self, self._open_network(self.session), "network")

    async def _open_network(self, session: Session) -> None:
        from closetui.connect import open_client

        try:
            client = await asyncio.to_thread(open_client, session.settings)
        except CloseTuiError as exc:
            self.notify(exc.message, severity="error", markup=False)
            return
        if session is not self.session:  # switched to another profile meanwhile
            await client.aclose()
            return
        self._connected(session, client)

    def _connected(self, session: Session, client: CloseClient) -> None:
        try:
            session.connect(client)
        except CloseTuiError as exc:
            self.notify(exc.message, severity="error", markup=False)
            return
        session.on_client_event(self._client_event)
        self.main.network_started()
        from closetui.tui.screens.subscriptions import SubscriptionsScreen

        for screen in self.screen_stack:  # screens opened by keys typed ahead
            if isinstance(screen, SubscriptionsScreen):
                screen.network_started()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, the app's and its screens' alike, comes through here: its text may
        quote the server (an error text, a name, an id), so it is made inert first, and it is
        never markup."""
        told = Told(inert(message), inert(title), severity)
        self.told.append(told)
        super().notify(
            told.message, title=told.title, severity=severity, timeout=timeout, markup=False
        )

    def end_by_signal(self, signum: int) -> None:
        if self.ended_by is None:
            self.ended_by = signum
        self.exit()

    def exit(
        self,
        result: int | None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        self._ending()
        super().exit(result, return_code, message)

    def _ending(self) -> None:
        if self.on_ending is not None:
            self.on_ending()

    def _client_event(self, event: ClientEvent) -> None:
        self.main.post_message(RequestHeldUp(event))

    def on_profile_chosen(self, message: ProfileChosen) -> None:
        self.switch_profile(message.name)

    def switch_profile(self, name: str) -> None:
        """Close this session and open one on profile `name`, without a restart."""
        if self._switching:
            self.notify("Still switching accounts.", markup=False)
            return
        if name == self.settings.profile:
            self.notify(f"Profile {name} is the one in use.", markup=False)
            return
        try:
            from closetui.config.profiles import settings_for

            settings = settings_for(name, like=self.settings)
        except ConfigError as exc:
            self.notify(exc.message, title="Not switched", severity="error", markup=False)
            return
        self._switching = True
        spawn(self, self._switch(settings), "switch")

    async def _switch(self, settings: Settings) -> None:
        try:
            old_session, old_mode = self.session, self.current_mode
            # The old session's work: its screens' and panes' workers, not this one.
            old_work = [w for w in self.workers if w.group != "switch"]
            session = Session.open(settings)
            main = SequencesScreen(session, retry_delays=self.retry_delays)
            self.settings, self.session, self._main = settings, session, main
            self._client, self._first_page = None, None  # they were the first session's
            # A mode per account: removing the old one removes its screens (the main screen,
            # and a subscriptions screen over it, which holds the old session too), and with
            # them their workers.
            self._accounts += 1
            mode = f"account-{self._accounts}"
            self.add_mode(mode, lambda: main)
            await self.switch_mode(mode)
            await self.remove_mode(old_mode)
            for worker in old_work:
                worker.cancel()  # (already, for those of removed screens; this is for any other)
            # Until each has ended (cancelled, mostly: that is what wait() raises then).
            await asyncio.gather(*(worker.wait() for worker in old_work), return_exceptions=True)
            if old_session is not None:
                await old_session.aclose()
            # The old screen's rows were frozen out of the collector's reach: let them go.
            gc.unfreeze()
            gc.collect()
            if not settings.offline:
                self._start_network()
            self.notify(f"Switched to profile {settings.profile}.", markup=False, timeout=3)
        finally:
            self._switching = False

    def on_person_wanted(self, message: PersonWanted) -> None:
        from closetui.tui.screens.person import open_person_of

        if self.session is not None:
            open_person_of(self, self.session, message.row)

    def action_find_person(self) -> None:
        from closetui.tui.screens.person import PersonProvider

        self.push_screen(CommandPalette(providers=[PersonProvider], placeholder="Find a person…"))

    def action_switch_account(self) -> None:
        from closetui.tui.commands import ProfileProvider

        self.push_screen(CommandPalette(providers=[ProfileProvider], placeholder="Switch account…"))

    def _has_profiles(self) -> bool:
        from closetui.config.profiles import profile_names

        try:
            return bool(profile_names())
        except ConfigError:
            return False

    async def on_unmount(self) -> None:
        self._ending()
        if self._theme_save is not None:  # a theme chosen just before quitting is kept
            await asyncio.wait({self._theme_save}, timeout=3)
        self.workers.cancel_all()
        if self.session is not None:
            await self.session.aclose()

    @property
    def busy(self) -> bool:
        """Work under way or due (tests and benchmarks wait for this to be false)."""
        if self.main.busy or bool(getattr(self.screen, "names_due", False)):
            return True
        panes = {*self.main.query(FeedPane), *self.screen.query(FeedPane)}
        return any(pane.search_due for pane in panes)

    # -- fatal errors ------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
        where = f"; details in {self.log_path}" if self.log_path else ""
        self.fatal_message = f"unexpected error{where}"
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would print a traceback with local variables; one line is enough, and the
        # log file has the rest.
        self._ending()
        self.bell()
        self._exit_renderables.append(Text(f"closetui: {self.fatal_message}"))
        self._close_messages_no_wait()

    # -- keys everywhere ---------------------------------------------------------------------

    def action_help(self) -> None:
        # Each screen says which keys are its own; help lists those, then the app's.
        from closetui.tui.screens.help import HelpScreen

        sections = getattr(self.screen, "help_sections", self.main.help_sections)
        self.push_screen(HelpScreen(sections(), self.keys_in_force))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        if isinstance(screen, SequencesScreen):
            yield from screen.system_commands()
            if self._has_profiles():
                yield SystemCommand(
                    "Switch account…",
                    "Open another profile of the config file, without a restart",
                    self.action_switch_account,
                )
        yield SystemCommand(
            "Find a person…",
            "A contact's or lead's runs in every sequence: type an email, a name or an id",
            self.action_find_person,
        )
        yield SystemCommand("Keys", "Show every key (/ there searches them)", self.action_help)
        # Textual's own "Keys" opens its key panel: one "Keys" in the palette, ours.
        yield from (c for c in super().get_system_commands(screen) if c.title != "Keys")


def keymap_owners(app: type[App[Any]]) -> tuple[type[DOMNode], ...]:
    """Every class whose bindings a keymap may name. The screens beyond the first are
    imported here, not at start-up: the first frame shows none of them."""
    from closetui.tui.screens.help import HelpScreen
    from closetui.tui.screens.history import HistoryScreen
    from closetui.tui.screens.message import MessageScreen
    from closetui.tui.screens.person import owners as person_owners
    from closetui.tui.screens.run import RunScreen
    from closetui.tui.screens.subscriptions import SubscriptionsScreen
    from closetui.tui.widgets.detail import DetailPane
    from closetui.tui.widgets.sequence_list import SequenceList
    from closetui.tui.widgets.subscription_list import SubscriptionList

    return (app, SequencesScreen, SubscriptionsScreen, RunScreen, MessageScreen, HelpScreen,
            SequenceList, SubscriptionList, DetailPane, FeedPane, HistoryScreen,
            *person_owners())  # fmt: skip


def run_app(
    settings: Settings, first_page: concurrent.futures.Future[Page[SequenceListing]] | None = None
) -> int:
    from closetui.logs import setup_logging

    app = ClosetuiApp(settings, first_page=first_page)
    app.log_path = setup_logging(settings.log_dir)  # already set up by the CLI: returns its path
    _guard_the_terminal(app)
    with asyncio.Runner() as runner:
        # Handlers on the loop, from before the first frame: a signal wakes the loop, and the
        # app leaves the way `q` does, restoring the terminal (alternate screen, mouse
        # tracking, cursor) on its way out. Ctrl+C is a key in the app; a SIGINT from
        # elsewhere is treated like the others.
        loop = runner.get_loop()
        for signum in (*ENDING, signal.SIGINT):
            loop.add_signal_handler(signum, app.end_by_signal, signum)
        # A terminal found gone (a write failed, or it no longer answers) ends the app as a
        # hang-up would: from whichever thread noticed it.
        GONE.listeners.append(lambda: _call_soon(loop, app.end_by_signal, signal.SIGHUP))
        GONE.listeners.append(app._ending)
        watch_terminal()
        result = app.run(loop=loop)
    disarm_watchdog()  # the terminal is restored and the app closed: shutdown is over
    if app.ended_by is not None:
        die_of(app.ended_by)
    return app.return_code if app.return_code is not None else (result or 0)


def _call_soon(loop: asyncio.AbstractEventLoop, call: Callable[..., None], *args: int) -> None:
    """`call` on the app's loop, from any thread; nothing once the loop has closed."""
    with contextlib.suppress(RuntimeError):  # the app ended first
        loop.call_soon_threadsafe(call, *args)


def _guard_the_terminal(app: ClosetuiApp) -> None:
    """The bounded driver, and the watchdog armed as the app starts to end."""
    import sys
    import termios

    app.driver_class = Driver
    try:
        out_fd, in_fd = sys.__stdout__.fileno(), sys.__stdin__.fileno()  # type: ignore[union-attr]
        attrs: list[Any] | None = termios.tcgetattr(in_fd)
    except (termios.error, OSError, ValueError, AttributeError):
        out_fd, in_fd, attrs = 1, 0, None

    def restore() -> None:
        if not GONE.is_set():  # a terminal that has gone takes nothing
            restore_terminal(out_fd, in_fd, attrs)

    app.on_ending = lambda: arm_watchdog(restore, lambda: app.ended_by)
