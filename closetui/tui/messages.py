"""Messages the app's workers post: past-tense facts about the data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from closetui.feed import FeedEvent

if TYPE_CHECKING:
    from closetui.api import ClientEvent


class FeedChanged(Message):
    """Something happened to a list's pages: rows arrived, a page failed, offline, online."""

    def __init__(self, feed_name: str, event: FeedEvent) -> None:
        super().__init__()
        self.feed_name = feed_name
        self.event = event


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
