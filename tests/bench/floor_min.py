"""The true floor: the least Textual app that shows a line of text (one `Static`). Every
closetui start-up is compared with it in the same benchmark run."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Floor(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("FLOOR row 0")


if __name__ == "__main__":
    Floor().run()
