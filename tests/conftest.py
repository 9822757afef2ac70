from __future__ import annotations

import os
import sys
import tempfile


def _roomy(folder: str, least: int = 2 << 30) -> bool:
    """Writable, with `least` bytes free: a container's /dev/shm is often 64 MB, and a full
    one would fail tests that have nothing to do with a full disk."""
    try:
        found = os.statvfs(folder)
    except OSError:
        return False
    return os.access(folder, os.W_OK) and found.f_bavail * found.f_frsize >= least


# The tests' files (tmp_path: caches, configs, logs; the lists' row stores, made in TMPDIR) on
# the machine's RAM disk when it has one and TMPDIR does not say otherwise, for this process,
# the xdist workers and the processes tests start: on a disk, each SQLite file made costs an
# fsync (27 ms against 0.3 ms measured here), and most tests make several. What is tested of
# the files is the same on either (and only with room to spare).
if "TMPDIR" not in os.environ and os.path.isdir("/dev/shm") and _roomy("/dev/shm"):
    os.environ["TMPDIR"] = "/dev/shm"
    tempfile.tempdir = None  # read TMPDIR again, should anything have asked already
# The processes tests start (`python -m closetui`, in tmux, over ssh) keep their bytecode in one
# folder for the whole run, as an installed program would: a machine that sets
# PYTHONDONTWRITEBYTECODE would otherwise compile closetui, Textual and httpx again at every
# start (a few tenths of a second of CPU each, dozens of times a run).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault(
    "PYTHONPYCACHEPREFIX", os.path.join(tempfile.gettempdir(), f"closetui-tests-pyc-{os.getuid()}")
)
# The same for this process and each xdist worker (Python read the variables at its start, so
# they are set here as well): the test modules' imports of Textual, httpx and closetui are
# compiled once, not again in every worker of every run.
sys.dont_write_bytecode = False
sys.pycache_prefix = os.environ["PYTHONPYCACHEPREFIX"]

import pytest  # noqa: E402  (after the bytecode settings, which these imports use)

from closetui.close.client import CloseClient  # noqa: E402
from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose  # noqa: E402
from tests.support import idle, tls  # noqa: E402

# A key pressed through the pilot costs the app's work and 5 ms, not at least 40 ms (see
# tests/support/idle.py): most of the suite's time was slices of waiting after work was done.
idle.install()
# Each client the tests make (hundreds) shares one TLS context, not loading certifi's bundle
# again (see tests/support/tls.py); the processes tests start make their own, as a user's do.
tls.install()

# Tests that take seconds each (a monkey of 2,500 keys, real terminals, real processes, rate
# limits waited out), run before the rest: one that started last would keep one worker busy
# long after the other had finished.
LONG_FIRST = (
    "tests/test_monkey.py",
    "tests/test_vanished_terminal.py",
    "tests/test_watch.py::test_watch_keeps_within_the_rate_limit",
    "tests/test_person_view.py",
    "tests/test_flat_memory.py",
    "tests/test_full_disk.py",
    "tests/test_typed_ahead.py",
    "tests/test_ssh.py",
    "tests/test_commands.py::test_sync_then_offline_list_and_show_print_the_same",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)),
            len(LONG_FIRST),
        )

    items.sort(key=rank)  # stable: within a rank, as collected


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads the developer's key, config, cache or logs."""
    monkeypatch.delenv("CLOSE_API_KEY", raising=False)
    monkeypatch.delenv("CLOSE_BASE_URL", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # a table to a pipe is sized by it
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setenv("CLOSETUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CLOSETUI_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("CLOSETUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("CLOSETUI_DEMO_LATENCY", "0")
    monkeypatch.setenv("CLOSETUI_RETRY_BACKOFF", "0.01")
    return tmp_path


@pytest.fixture(autouse=True)
def quick_lookups(monkeypatch):
    """The cursor rests 20 ms before its lookups start, not 150: a test settles after each
    key, and would otherwise wait out the delay in real time at every one. Still longer than
    a burst of moves made in one go (which is what the delay is for)."""
    import closetui.tui.run_names
    import closetui.tui.screens.sequences

    # The sequence list's lookups, and the names of every list of runs (tui/run_names.py).
    for module in (closetui.tui.screens.sequences, closetui.tui.run_names):
        monkeypatch.setattr(module, "LOOKUP_DELAY", 0.02)


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg())


@pytest.fixture
def server(router):
    with DemoServer(router) as running:
        yield running


@pytest.fixture
async def make_client(server):
    clients: list[CloseClient] = []

    def make(**options) -> CloseClient:
        options.setdefault("api_key", DEMO_API_KEY)
        options.setdefault("backoff", 0.01)
        client = CloseClient(server.base_url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def make_app(server, tmp_path):
    """The real app against the demo server over loopback, with its own cache folder."""
    from closetui.config.settings import ApiKey, Settings
    from closetui.tui.app import ClosetuiApp

    def make(
        *,
        offline: bool = False,
        cache_dir=None,
        page_size: int = 100,
        key=DEMO_API_KEY,
        retry_delays=(0.05, 0.1),
        early_first_page: bool = False,
        timeout: float | None = None,
        **limits,
    ):
        settings = Settings(
            base_url=server.base_url,
            api_key=ApiKey(key),
            key_source="the CLOSE_API_KEY environment variable",
            offline=offline,
            page_size=page_size,
            cache_dir=cache_dir or tmp_path / "cache",
            log_dir=tmp_path / "logs",
        )
        client = None
        if not offline:
            client = CloseClient(
                server.base_url, api_key=key, backoff=0.01, timeout=timeout, **limits
            )
        first_page = None
        if early_first_page:
            from closetui import prefetch

            first_page = prefetch.start(settings)
        return ClosetuiApp(
            settings, client=client, retry_delays=retry_delays, first_page=first_page
        )

    return make


_MATRIX: list[tuple[str, str, str]] = []


def pytest_runtest_logreport(report):
    """Collects the fault matrix's rows (reports reach the main process from xdist workers)."""
    if report.when == "call" and report.passed:
        _MATRIX.extend(value for name, value in report.user_properties if name == "fault_matrix")


def pytest_terminal_summary(terminalreporter):
    """The fault matrix, as a table, at the end of the run."""
    MATRIX = sorted(_MATRIX, key=lambda row: row[0])
    if not MATRIX:
        return
    rows = [("fault", "what the person sees", "afterwards"), *MATRIX]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    terminalreporter.section("fault matrix")
    for n, row in enumerate(rows):
        terminalreporter.write_line(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        )
        if n == 0:
            terminalreporter.write_line("  ".join("-" * width for width in widths))
