"""`closetui who PERSON`: one person's runs in every sequence, over loopback against the demo
(a small organization, so that `sync --subscriptions` is quick): contact and lead filters,
an email or a name resolved by Close's search or the cache, several matches, no match, a
deleted contact, a failing or odd search answer, hostile text, offline."""

from __future__ import annotations

import json

import pytest

from closetui.cli import main
from closetui.close.people import Contact, Lead, parse_search
from closetui.demo import DemoOrg, FakeClose
from closetui.demo.data import DEMO_API_KEY, DEMO_PEOPLE, SEED_ID
from tests.support.contract import instance, load, schema_problems

PAT, ALEX_NORTH, ALEX_CONTOSO, ROBIN, EVE = DEMO_PEOPLE
ENUMS = load("enums.json")
SCHEMA_ENUMS = {
    "StatusReason": ENUMS["sequence_subscription.status_reason"]["enum"],
    "WorkflowRunStatus": ENUMS["sequence_subscription.status"]["enum"],
    "WorkflowStatus": ENUMS["sequence.status"]["enum"],
}


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg(size=12))


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _rows(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()]


def _searches(server) -> list:
    return [r for r in server.router.requests if r.path.strip("/") == "data/search"]


def test_a_contact_id_lists_every_sequence_with_reasons_in_words(capsys, online, server):
    assert main(["who", PAT.contact_id, *online]) == 0
    rows = _rows(capsys.readouterr().out)
    assert len(rows) == 5
    by_sequence = {row[0]: row for row in rows}
    assert by_sequence["My Sequence"][1:3] == ["error", "email bounced"]
    assert {(r[1], r[2]) for r in rows} >= {
        ("finished", "reply received"),
        ("paused", "by hand"),
        ("goal", "meeting booked"),
        ("active", ""),
    }
    assert all(r[6] == "Quinn Logistics" and r[-1] == "Pat Quinn" for r in rows)
    assert {r[8] for r in rows} >= {"email-bounced", "meeting-booked"}  # Close's values too
    asked = server.router.requests_to("sequence_subscription/")
    assert asked and all(r.query.get("contact_id") == PAT.contact_id for r in asked)
    assert not any("sequence_id" in r.query for r in asked)  # across every sequence
    assert not _searches(server)  # an id is not searched for
    # The sequences are named by the contact's own `subscriptions[]`: one request, not five.
    assert len(server.router.requests_to(f"contact/{PAT.contact_id}/")) == 1
    assert not [r for r in server.router.requests if r.path.startswith("sequence/seq_")]


def test_who_takes_columns_a_sort_and_a_header_as_subscriptions_does(capsys, online):
    argv = ["who", PAT.contact_id, *online, "--columns", "status,sequence,id", "--header"]
    assert main([*argv, "--sort", "status"]) == 0
    header, *rows = _rows(capsys.readouterr().out)
    assert header == ["status", "sequence", "id"] and len(rows) == 5
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert all(r[2].startswith("sub_") for r in rows)
    assert main([*argv, "--sort", "status:desc"]) == 0
    assert [r[0] for r in _rows(capsys.readouterr().out)[1:]] == sorted(
        (r[0] for r in rows), reverse=True
    )
    # An id asked for in a table is shown whole.
    assert main(["who", PAT.contact_id, *online, "--format", "table", "--columns", "id"]) == 0
    assert {line.strip() for line in capsys.readouterr().out.splitlines()[1:]} == {
        r[2] for r in rows
    }
    assert main(["who", PAT.contact_id, *online, "--sort", "colour"]) == 2
    assert "--sort takes COLUMN[:desc]" in capsys.readouterr().err
    assert main(["who", PAT.contact_id, *online, "--format", "json", "--columns", "id"]) == 2


def test_a_lead_id_goes_to_the_lead_filter(capsys, online, server):
    assert main(["who", ALEX_NORTH.lead_id, *online, "--format", "jsonl"]) == 0
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {i["lead_id"] for i in items} == {ALEX_NORTH.lead_id} and len(items) == 2
    assert {i["status_reason"] for i in items} == {"account-invalid", None}
    asked = server.router.requests_to("sequence_subscription/")
    assert all(r.query.get("lead_id") == ALEX_NORTH.lead_id for r in asked)


def test_an_email_is_found_with_closes_search_and_a_table_names_it(capsys, online, server):
    assert main(["who", "PAT@example.com", *online, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["SEQUENCE", "STATUS", "REASON"]
    assert "email bounced" in out and "Pat Quinn · pat@example.com" in out
    [search] = _searches(server)
    assert search.method == "POST"


def test_several_matches_are_listed_with_a_hint_and_exit_1(capsys, online):
    assert main(["who", "Alex Morgan", *online]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert ALEX_NORTH.contact_id in captured.err and ALEX_CONTOSO.contact_id in captured.err
    assert "alex.morgan@contoso.example" in captured.err
    assert "2 people match" in captured.err and "pass one of the ids" in captured.err


def test_no_such_person_is_one_line_and_exit_1(capsys, online):
    assert main(["who", "nobody@nowhere.example", *online]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No one matches" in err
    assert main(["who", "cont_NoSuchContactAtAll", *online]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "closetui: No contact cont_NoSuchContactAtAll in Close."


def test_a_deleted_contacts_runs_are_still_listed_and_say_so(capsys, online, server):
    assert main(["who", ROBIN.contact_id, *online, "--format", "table"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()[1:]
    assert len(lines) == 2 and all("(deleted) · robin@deleted.example" in line for line in lines)
    assert "send-as not allowed" in out and "sequence paused" in out
    contact = server.router.requests_to(f"contact/{ROBIN.contact_id}/")
    assert contact and server.router.statuses[server.router.requests.index(contact[0])] == 404


def _cache_first_sequence(online, capsys) -> None:
    """The first sequence's runs into the cache, as opening them in the app would."""
    assert main(["subscriptions", SEED_ID, *online]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"kind": "status", "status": 500}, "Close's search failed"),
        ({"kind": "wrong_shape"}, "shape closetui does not read"),
        ({"kind": "malformed"}, "Close's search failed"),
    ],
)
def test_a_failing_or_odd_search_leaves_the_cache_answer(capsys, online, server, fault, said):
    _cache_first_sequence(online, capsys)
    server.faults.add(path="data/search", times=None, **fault)
    assert main(["who", "pat@example.com", *online]) == 0
    captured = capsys.readouterr()
    assert said in captured.err and "showing who the cache knows" in captured.err
    assert len(_rows(captured.out)) == 5  # then the runs themselves, from Close


def test_a_failing_search_with_nothing_cached_is_no_one_in_the_cache(capsys, online, server):
    server.faults.add("status", path="data/search", status=503, times=None)
    assert main(["who", "pat@example.com", *online]) == 1
    err = capsys.readouterr().err
    assert "No one matches 'pat@example.com' in the cache" in err
    assert "sync --subscriptions" in err


def test_hostile_names_and_emails_reach_the_terminal_inert(capsys, online):
    assert main(["who", EVE.email, *online, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert "␛[31mevil.example" in out and "[b]Eve[/b]" in out  # shown as it came, inert
    assert main(["who", "[b]x\x1b]0;pwn\x07\u202e", *online]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert err.count("\n") == 1


def test_offline_after_a_sync_finds_an_email_from_the_cache(capsys, online, server):
    assert main(["sync", "--subscriptions", *online]) == 0
    assert "runs" in capsys.readouterr().out
    before = len(server.router.requests)
    assert main(["who", "pat@example.com", *online, "--offline", "--format", "table"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 6  # a header and Pat's five runs
    assert "email bounced" in captured.out and "My Sequence" in captured.out
    assert "as cached just now" in captured.err  # marked with its age
    assert main(["who", PAT.lead_id, *online, "--offline"]) == 0
    assert len(_rows(capsys.readouterr().out)) == 5
    assert main(["who", EVE.email.upper(), *online, "--offline"]) == 0  # escapes, any case
    out = capsys.readouterr().out
    assert len(_rows(out)) == 2 and "\x1b" not in out
    assert len(server.router.requests) == before  # not one request


def test_offline_with_nothing_cached_says_how_to_fill_it(capsys, online):
    assert main(["who", "pat@example.com", *online, "--offline"]) == 1
    assert "in the cache" in capsys.readouterr().err
    assert main(["who", PAT.contact_id, *online, "--offline"]) == 4
    assert "sync --subscriptions" in capsys.readouterr().err


def test_an_empty_person_is_a_usage_error(capsys, online):
    assert main(["who", "  ", *online]) == 2
    assert "Give a person" in capsys.readouterr().err


# -- the contract: documented schemas, and the demo's answers against them -----------------


def test_contact_and_lead_parse_from_their_documented_schemas():
    contact = Contact.from_api(instance("contact.json", SCHEMA_ENUMS))
    assert contact.id == "x" and contact.emails == ("x",) and not contact.degraded
    [run] = contact.runs
    assert run.status == "active" and run.reason == "manual"  # each enum's first value
    lead = Lead.from_api(instance("lead.json", SCHEMA_ENUMS))
    assert lead.id == "x" and lead.contact_ids == ("x",) and not lead.degraded


async def test_the_demos_contact_answers_in_the_documented_shape(make_client):
    client = make_client()
    body = await client.get_raw("contact", PAT.contact_id)
    assert schema_problems("contact.json", body) == []
    for item in body["subscriptions"]:
        assert schema_problems("contact-subscription.json", item) == []
        assert item["subscription_status_reason"] in [*SCHEMA_ENUMS["StatusReason"], None]
    contact = Contact.from_api(body)
    assert contact.name == "Pat Quinn" and len(contact.runs) == 5 and not contact.degraded


async def test_the_demos_lead_answers_in_the_documented_shape(make_client):
    body = await make_client().get_raw("lead", PAT.lead_id)
    assert schema_problems("lead.json", body) == []
    lead = Lead.from_api(body)
    assert lead.name == "Quinn Logistics" and lead.contact_ids == (PAT.contact_id,)
    assert lead.html_url == f"https://app.close.com/lead/{PAT.lead_id}/"


async def test_the_search_answer_is_read_tolerantly(make_client):
    hits = await make_client().search_contacts("alex morgan")
    assert hits is not None and {h.contact_id for h in hits} == {
        ALEX_NORTH.contact_id,
        ALEX_CONTOSO.contact_id,
    }
    assert parse_search({"results": []}) is None
    assert parse_search({"data": "no"}) is None
    odd = {"data": [1, {"id": 5}, {"id": "lead_x", "__object_type": "lead"}, {"id": "cont_y"}]}
    assert [h.contact_id for h in parse_search(odd) or []] == ["cont_y"]
