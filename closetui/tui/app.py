"""The closetui app: the session's life, fatal errors and the keys that work everywhere.

The main view is `SequencesScreen` (`screens/sequences.py`), the app's default screen.
Widgets never call the API or the cache themselves: the screens ask the session's sources
through workers, and the feed reports back with messages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from closetui.api import ClientEvent, CloseClient
from closetui.errors import CloseTuiError
from closetui.logs import log
from closetui.models import Page, Sequence
from closetui.session import Session
from closetui.settings import Settings
from closetui.signals import ENDING, die_of
from closetui.textsafe import visible
from closetui.tui.messages import RequestHeldUp
from closetui.tui.screens.help import HelpScreen
from closetui.tui.screens.sequences import SequencesScreen
from closetui.tuning import RECONNECT_DELAYS


class ClosetuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "closetui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        client: CloseClient | None = None,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
        first_page: concurrent.futures.Future[Page[Sequence]] | None = None,
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
        if not self.settings.offline:
            # The client (and httpx) is not needed for the first frame: start it after.
            self.call_after_refresh(self._start_network)

    def _start_network(self) -> None:
        assert self.session is not None
        try:
            self.session.connect(self._client)
        except CloseTuiError as exc:
            self.notify(exc.message, severity="error", markup=False)
            return
        self.session.on_client_event(self._client_event)
        self.main.network_started()

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
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False
        )

    def end_by_signal(self, signum: int) -> None:
        self.ended_by = signum
        self.exit()

    def _client_event(self, event: ClientEvent) -> None:
        self.main.post_message(RequestHeldUp(event))

    async def on_unmount(self) -> None:
        self.workers.cancel_all()
        if self.session is not None:
            await self.session.aclose()

    @property
    def busy(self) -> bool:
        """Work under way or due (tests and benchmarks wait for this to be false)."""
        return self.main.busy or bool(getattr(self.screen, "names_due", False))

    # -- fatal errors ------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
        where = f"; details in {self.log_path}" if self.log_path else ""
        self.fatal_message = f"unexpected error{where}"
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would print a traceback with local variables; one line is enough, and the
        # log file has the rest.
        self.bell()
        self._exit_renderables.append(Text(f"closetui: {self.fatal_message}"))
        self._close_messages_no_wait()

    # -- keys everywhere ---------------------------------------------------------------------

    def action_help(self) -> None:
        # Each screen says which keys are its own; help lists those, then the app's.
        sections = getattr(self.screen, "help_sections", self.main.help_sections)
        self.push_screen(HelpScreen(sections()))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        if isinstance(screen, SequencesScreen):
            yield from screen.system_commands()
        yield SystemCommand("Keys", "Show every key", self.action_help)
        yield from super().get_system_commands(screen)


def run_app(
    settings: Settings, first_page: concurrent.futures.Future[Page[Sequence]] | None = None
) -> int:
    from closetui.logs import setup_logging

    app = ClosetuiApp(settings, first_page=first_page)
    app.log_path = setup_logging(settings.log_dir)  # already set up by the CLI: returns its path
    with asyncio.Runner() as runner:
        # Handlers on the loop, from before the first frame: a signal wakes the loop, and the
        # app leaves the way `q` does, restoring the terminal (alternate screen, mouse
        # tracking, cursor) on its way out. Ctrl+C is a key in the app; a SIGINT from
        # elsewhere is treated like the others.
        loop = runner.get_loop()
        for signum in (*ENDING, signal.SIGINT):
            loop.add_signal_handler(signum, app.end_by_signal, signum)
        result = app.run(loop=loop)
    if app.ended_by is not None:
        die_of(app.ended_by)
    return app.return_code if app.return_code is not None else (result or 0)
