"""Renders the real app on the demo organization into screenshots/*.svg.

    uv run python tests/screenshots.py [NAME ...]   (NAME: a file name without .svg)

Textual names the SVG's CSS classes after a random id; they are normalised so that running
this again on the same code gives the same files.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"


def normalise(svg: str) -> str:
    ids = sorted(set(re.findall(r"terminal-(\d+)", svg)))
    for n, found in enumerate(ids):
        svg = svg.replace(f"terminal-{found}", f"terminal-{n}")
    return svg


async def shoot(
    name: str,
    size: tuple[int, int],
    title: str,
    steps: Callable[..., Awaitable[None]] | None = None,
    *,
    faults: Callable[..., None] | None = None,
) -> Path:
    from closetui.close.client import CloseClient
    from closetui.config.settings import load_settings
    from closetui.demo.data import DEMO_API_KEY, DemoOrg
    from closetui.demo.router import FakeClose, Faults
    from closetui.demo.transport import DemoTransport
    from closetui.tui.app import ClosetuiApp

    router = FakeClose(DemoOrg(), Faults(latency=0))
    if faults:
        faults(router)
    settings = load_settings(demo=True)
    client = CloseClient(
        settings.base_url, api_key=DEMO_API_KEY, transport=DemoTransport(router), backoff=0.01
    )
    app = ClosetuiApp(settings, client=client)
    async with app.run_test(size=size, notifications=True) as pilot:
        await _settle(pilot)
        if steps:
            await steps(pilot)
            await _settle(pilot)
        svg = app.export_screenshot(title=title)
    path = OUT / f"{name}.svg"
    path.write_text(normalise(svg), encoding="utf-8")
    return path


async def _settle(pilot) -> None:
    for _ in range(200):
        await pilot.pause()
        if not pilot.app.busy:
            await pilot.pause()
            if not pilot.app.busy:
                return
        busy = [w for w in pilot.app.workers if not w.is_finished]
        if busy:
            await pilot.app.workers.wait_for_complete(busy)
        else:
            await pilot.pause(0.05)  # the lookup delay's timer


async def main() -> None:
    async def detail_of_hostile(pilot) -> None:
        await pilot.press("pagedown", "pagedown")
        pilot.app.main.jump_to(pilot.app.main.sequences.in_order()[46].id)

    async def open_detail(pilot) -> None:
        await pilot.press("enter")

    async def filtering(pilot) -> None:
        await pilot.press("slash", *"webinar")

    async def help_screen(pilot) -> None:
        await pilot.press("question_mark")

    async def failing(pilot) -> None:
        await pilot.press("end")

    async def errors_first(pilot) -> None:
        app = pilot.app
        for row in app.main.sequences.in_order()[:100]:  # what `sync --subscriptions` would do
            await app.session.source.fetch_detail(row.id)
        await pilot.press("r")
        await _settle(pilot)
        await pilot.press(*"SSSSS", "home")  # Name ↑, Name ↓, Status ↑, Status ↓, Err ↓

    async def runs_with_names(pilot) -> None:
        await pilot.press("s")

    async def one_run(pilot) -> None:
        await pilot.press("s")
        await _settle(pilot)
        await pilot.press("down", "down", "enter")

    async def paused_only(pilot) -> None:
        await pilot.press("f", "f")

    async def person(pilot) -> None:
        await pilot.press("s")
        await _settle(pilot)
        table = pilot.app.screen.table
        rows = table.rows
        table.move_to(next(i for i in range(rows.count) if rows.row(i).contact ==
                           "pat@example.com"))  # fmt: skip
        await pilot.press("p")

    async def tour(pilot) -> None:
        from closetui.demo.data import TOUR_INDEX

        pilot.app.main.jump_to(pilot.app.main.sequences.in_order()[TOUR_INDEX].id)

    async def tour_bodies(pilot) -> None:
        await tour(pilot)
        await _settle(pilot)
        await pilot.press("b")

    async def tour_full(pilot) -> None:
        await tour(pilot)
        await _settle(pilot)
        await pilot.press("v")

    async def tour_detail(pilot) -> None:
        await tour(pilot)
        await _settle(pilot)
        await pilot.press("enter")

    def fail_second_page(router) -> None:
        router.faults.add("status", status=503, query={"_skip": "100"}, times=None)

    shots = [
        ("list-and-detail-120x35", (120, 35), "closetui --demo", None, None),
        ("hostile-names-120x35", (120, 35), "hostile names, shown literally", detail_of_hostile,
         None),
        ("list-80x24", (80, 24), "closetui --demo at 80x24", None, None),
        ("detail-80x24", (80, 24), "the detail at 80x24", open_detail, None),
        ("filter-120x35", (120, 35), "filtering by name", filtering, None),
        ("help-120x35", (120, 35), "every key", help_screen, None),
        ("error-120x35", (120, 35), "a page that failed", failing, fail_second_page),
        ("errors-first-120x35", (120, 35), "sorted by errored runs", errors_first, None),
        ("status-paused-120x35", (120, 35), "f: paused only, over every page", paused_only,
         None),
        ("runs-120x35", (120, 35), "s: the runs, with lead and contact names", runs_with_names,
         None),
        ("run-120x35", (120, 35), "Enter on a run: every field, and the cadence", one_run, None),
        ("cadence-120x35", (120, 35), "eight steps, one line each", tour, None),
        ("cadence-80x24", (80, 24), "eight steps at 80x24", tour_detail, None),
        ("bodies-120x35", (120, 35), "b: what each step says", tour_bodies, None),
        ("cadence-full-120x35", (120, 35), "v: the full timeline", tour_full, None),
        ("person-120x35", (120, 35), "p on a run: that person in every sequence", person, None),
    ]  # fmt: skip
    wanted = set(sys.argv[1:])  # names to shoot (all when none are given)
    for name, size, title, steps, faults in shots:
        if wanted and name not in wanted:
            continue
        print(await shoot(name, size, title, steps, faults=faults))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["CLOSETUI_CACHE_DIR"] = str(Path(scratch) / "cache")
        os.environ["CLOSETUI_LOG_DIR"] = str(Path(scratch) / "logs")
        # (no config of the person's: `v` and `w` write theirs, and it would change the shots)
        os.environ["CLOSETUI_CONFIG"] = str(Path(scratch) / "config.toml")
        os.environ["CLOSETUI_RETRY_BACKOFF"] = "0.01"
        sys.path.insert(0, str(ROOT))
        OUT.mkdir(exist_ok=True)
        asyncio.run(main())
