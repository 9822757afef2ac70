"""The numbers closetui is tuned by, in one place, each with the reason for its value."""

from __future__ import annotations

# Background reconnection after the network failed: quick at first, then every 30 s.
RECONNECT_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)

# Seconds the cursor must rest on a row before its lookups start: holding a key down
# starts none of them.
LOOKUP_DELAY = 0.15

# Below this many columns the app shows one pane at a time.
NARROW = 100

# While a filter wants every page, cached pages are taken in for up to this long at a time
# (about one frame), so a long cached list fills at the store's pace, yet keys still get in.
CACHED_BATCH_SECONDS = 0.012

# A sort over at least this many rows whose index is not built yet says so before it starts:
# building it takes about a second per 400,000 rows.
SLOW_SORT_ROWS = 200_000
