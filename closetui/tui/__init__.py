"""Everything that imports textual: the app, its widgets, screens and styles."""

import os

# Textual composes a frame at most every 1/TEXTUAL_FPS seconds after a change, and that wait is
# most of what a keypress costs (measured: a cursor move is handled in about 2 ms, then waits
# for the next frame). At 120 the wait halves; frames are still only made when something
# changed, so an idle app costs nothing more. A value the user set is kept.
os.environ.setdefault("TEXTUAL_FPS", "120")
