"""The list reads each sequence only as far as its row shows (`SequenceListing`), and that
row is the same as the one the full read (`Sequence`) gives, odd fields included."""

from __future__ import annotations

import math
from typing import Any

import pytest

from closetui.close.client import CloseClient
from closetui.close.models import Sequence, SequenceListing
from closetui.close.urls import DEMO_BASE_URL
from closetui.demo import DEMO_API_KEY, DemoOrg, DemoTransport, FakeClose, Faults
from closetui.errors import ProtocolError
from closetui.lists.source import summarize

ODD: list[Any] = [
    {"id": "seq_a", "name": "A", "status": "active", "steps": []},
    {"id": "seq_b", "name": 12, "status": None, "steps": None},
    {"id": "seq_c", "name": "C", "status": "paused", "steps": "not a list"},
    {"id": "seq_d", "name": "D", "steps": [{"delay": 86400}, "x", 3, {"delay": None}, {}]},
    {"id": "seq_e", "name": "E", "steps": [{"delay": "soon"}, {"delay": 3600}]},
    {"id": "seq_f", "name": "F", "steps": [{"delay": -5}, {"delay": 1.9e5}, {"delay": True}]},
    {"id": "seq_g", "name": "G", "steps": [{"delay": math.inf}], "date_updated": "yesterday"},
    {"id": "seq_h", "name": None, "date_updated": "2024-02-03T04:05:06.789+00:00"},
    {"id": "seq_i", "name": "I", "date_updated": 17, "steps": [{"delay": math.nan}]},
]


@pytest.mark.parametrize("data", ODD, ids=[d["id"] for d in ODD])
def test_a_listing_gives_the_row_the_full_read_gives(data: dict[str, Any]) -> None:
    assert summarize(SequenceListing.from_api(data)) == summarize(Sequence.from_api(data))


@pytest.mark.parametrize("data", [None, [], "seq", {"name": "no id"}, {"id": ""}, {"id": 5}])
def test_a_listing_refuses_what_the_full_read_refuses(data: Any) -> None:
    with pytest.raises(ProtocolError):
        Sequence.from_api(data)
    with pytest.raises(ProtocolError):
        SequenceListing.from_api(data)


async def test_every_demo_page_lists_the_same_rows_either_way() -> None:
    transport = DemoTransport(FakeClose(DemoOrg(450), Faults()))
    async with CloseClient(DEMO_BASE_URL, api_key=DEMO_API_KEY, transport=transport) as client:
        for skip in range(0, 450, 100):
            full = await client.list_sequences(skip, 100)
            light = await client.list_sequence_listings(skip, 100)
            assert [summarize(s) for s in light.items] == [summarize(s) for s in full.items]
            assert light.raw == full.raw  # the detail still gets every field
            assert (light.has_more, light.problems) == (full.has_more, full.problems)
