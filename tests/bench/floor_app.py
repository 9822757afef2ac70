"""The floor: a bare Textual app (Header, a DataTable of 100 rows, Footer), the figure every
closetui start-up is compared with in the same benchmark run."""

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class Floor(App[None]):
    BINDINGS: ClassVar = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("name", "status")
        table.add_rows([(f"FLOOR row {i}", "active") for i in range(100)])


if __name__ == "__main__":
    Floor().run()
