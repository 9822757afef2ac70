"""How the client reads an answer's JSON: a lone surrogate becomes U+FFFD however the bytes
spell it (an escape in either case, or UTF-8 bytes encoding one, which json.loads accepts),
while a page without one is read unchanged."""

from __future__ import annotations

import json

import pytest

from closetui.textsafe import parse_json


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": [{"id": "seq_1", "name": "x\\udc9b"}]}',  # as json.dumps escapes it
        b'{"data": [{"id": "seq_1", "name": "x\\uDC9B"}]}',  # an upper-case escape
        b'{"data": [{"id": "seq_1", "name": "x\\uD83D"}]}',  # a high surrogate alone
        b'{"data": [{"id": "seq_1", "name": "x\xed\xb2\x9b"}]}',  # UTF-8 bytes for U+DC9B
    ],
)
def test_every_spelling_of_a_lone_surrogate_is_mended(body):
    parsed = parse_json(body)
    assert parsed["data"][0]["name"] == "x\ufffd"
    parsed["data"][0]["name"].encode("utf-8")  # valid Unicode: this would raise otherwise


def test_a_page_without_a_surrogate_reads_as_it_came():
    body = json.dumps(
        {"data": [{"id": "seq_1", "name": "Intro — café \\u and \U0001f600"}], "has_more": False},
        ensure_ascii=False,
    ).encode()
    assert parse_json(body) == json.loads(body)
    # An escaped pair is one character, not two lone halves.
    assert parse_json(b'{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}
