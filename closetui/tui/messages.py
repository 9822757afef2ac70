"""Messages the app's workers post: past-tense facts about the data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from closetui.close.client import ClientEvent


class RequestHeldUp(Message):
    """A request is waiting: rate limited or retrying after an error."""

    def __init__(self, event: ClientEvent) -> None:
        super().__init__()
        self.event = event


class OrganizationKnown(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class DetailLookedUp(Message):
    """A sequence's detail, counts and template names were fetched."""

    def __init__(self, sequence_id: str) -> None:
        super().__init__()
        self.sequence_id = sequence_id


class ProfileChosen(Message):
    """The person chose a profile to switch to (the palette's "Switch account…")."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class SettingChosen(Message):
    """The person chose a layout to keep (`cadence`, `split`): the app writes it to the config
    file off the UI thread."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__()
        self.key = key
        self.value = value


class PersonWanted(Message):
    """`p` on a run: its person's runs in every sequence (the app opens the person view, so
    that a runs screen need not import the person screen, which imports it)."""

    def __init__(self, row: object) -> None:
        super().__init__()
        self.row = row
