"""Peak RSS of the app with N sequences loaded: runs the real app headless against a prepared
cache, loads every row, moves the cursor, and prints its own peak RSS in MB."""

import asyncio
import sys

from closetui.config.settings import load_settings
from closetui.tui.app import ClosetuiApp


async def main(expected: int) -> None:
    app = ClosetuiApp(load_settings(demo=True, offline=True))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        rows = app.main.sequences
        while not rows.state.end:
            rows.want(more=True)
        app.main.sequence_list.rows_changed()
        await pilot.pause()
        assert app.main.sequences.loaded == expected, app.main.sequences.loaded
        for _ in range(20):
            app.main.sequence_list.action_page_down()
            await pilot.pause()
    # VmHWM, not getrusage: Linux carries ru_maxrss over from the parent that forked us.
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    print(int(hwm.split()[1]) / 1024)


asyncio.run(main(int(sys.argv[1])))
