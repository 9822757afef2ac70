"""Out to a spreadsheet: `closetui subscriptions` in every format, `list --format csv`, and
`list --sort`; hostile text stays inert, CSV is quoted as RFC 4180 says."""

from __future__ import annotations

import csv
import io
import json

import pytest

from closetui.cli import main
from closetui.demo import DEMO_API_KEY

CONTROL = ("\x1b", "\x07", "\u202e", "\x9b")


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _hostile_sequence(server) -> tuple[str, int]:
    """A sequence with runs past the 13th (where the demo puts hostile text in a run)."""
    org = server.router.org
    for position in range(1, 200):
        item = org.sequence_at(position)
        total = org.subscription_total(item["id"])
        if total >= 150:
            return item["id"], total
    raise AssertionError("no large sequence in the demo")


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "jsonl"])
def test_subscriptions_in_every_format_stream_every_run_inert(capsys, online, server, fmt):
    sequence_id, total = _hostile_sequence(server)
    assert main(["subscriptions", sequence_id, *online, "--format", fmt]) == 0
    out = capsys.readouterr().out
    for needle in CONTROL:
        assert needle not in out
    if fmt == "json":
        runs = json.loads(out)
        assert len(runs) == total and all(r["sequence_id"] == sequence_id for r in runs)
        assert any("\x1b" in r["contact_email"] for r in runs)  # JSON: unchanged, escaped
    elif fmt == "jsonl":
        assert len(out.splitlines()) == total
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][:3] == ["id", "status", "reason"] and len(rows) == total + 1
        assert any("␛[31m" in cell for row in rows for cell in row)
    elif fmt == "tsv":
        assert len(out.splitlines()) == total
    else:
        assert out.splitlines()[0].split()[:3] == ["ID", "STATUS", "REASON"]
    assert "\r\n" in out if fmt == "csv" else "\r" not in out


def test_subscriptions_with_names_and_a_status(capsys, online, server):
    sequence_id, _ = _hostile_sequence(server)
    args = ["subscriptions", sequence_id, *online, "--names", "--status", "error"]
    assert main([*args, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["status"] == "error" for r in rows)
    assert all(r["contact_name"] and (r["lead"]) for r in rows)
    parties = [r.path for r in server.router.requests if r.path.startswith(("lead/", "contact/"))]
    assert len(parties) == len(set(parties)) <= 2 * len(rows)  # only the runs written, once


def test_subscriptions_offline_from_what_the_app_or_a_run_cached(capsys, online, server):
    sequence_id, _total = _hostile_sequence(server)
    assert main(["subscriptions", sequence_id, *online, "--format", "jsonl"]) == 0
    online_out = capsys.readouterr().out
    before = len(server.router.requests)
    assert main(["subscriptions", sequence_id, *online, "--format", "jsonl", "--offline"]) == 0
    assert capsys.readouterr().out == online_out
    assert len(server.router.requests) == before
    assert main(["subscriptions", "seq_notcached", *online, "--offline"]) == 4
    assert main(["subscriptions", " ", *online]) == 2


def test_csv_quotes_as_rfc_4180_says(capsys, online, server):
    org = server.router.org
    org.insert_head('Quote "this", and a comma, then\na new line')
    assert main(["list", *online, "--format", "csv", "--filter", "quote"]) == 0
    out = capsys.readouterr().out
    assert '"Quote ""this"", and a comma, then a new line"' in out  # newline made inert
    (row,) = list(csv.reader(io.StringIO(out)))[1:]
    assert row[-1] == 'Quote "this", and a comma, then a new line'


def test_list_sort_by_any_column_and_direction(capsys, online, server):
    server.router.org.size = 250
    assert main(["list", *online, "--sort", "steps:desc", "--format", "tsv"]) == 0
    steps = [int(line.split("\t")[2]) for line in capsys.readouterr().out.splitlines()]
    assert len(steps) == 250 and steps == sorted(steps, reverse=True)
    assert main(["list", *online, "--sort", "name"]) == 0
    names = [line.split("\t")[-1].casefold() for line in capsys.readouterr().out.splitlines()]
    assert names == sorted(names)
    assert main(["list", *online, "--sort", "colour"]) == 2
    assert "--sort takes COLUMN[:desc]" in capsys.readouterr().err
