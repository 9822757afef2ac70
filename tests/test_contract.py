"""Close's documented example responses are the contract: every model reads every example,
and the demo server answers each endpoint with the same keys and JSON types."""

from __future__ import annotations

import filecmp
import re

import httpx
import pytest

from closetui.cli import main
from closetui.close.models import EmailTemplate, Sequence, SmsTemplate, Subscription, User
from closetui.demo import DEMO_API_KEY, DemoServer, FakeClose
from closetui.demo.data import EMAIL_TEMPLATES, SEED_ID, SMS_TEMPLATES, USERS, DemoOrg
from closetui.lists.runs import subscription_row
from closetui.present.sheet import Names, plain, sequence_sheet
from tests.support import contract
from tests.support.app import screen_text, settle
from tests.support.contract import items, load

MODELS = {
    "sequence": Sequence,
    "subscription": Subscription,
    "user": User,
    "me": User,
    "email_template": EmailTemplate,
    "sms_template": SmsTemplate,
}


def test_the_copied_examples_match_the_shared_ones():
    if not contract.SHARED_EXAMPLES.is_dir():
        pytest.skip("no shared/close-examples beside this checkout")
    shared = sorted(
        p.relative_to(contract.SHARED_EXAMPLES)
        for p in contract.SHARED_EXAMPLES.rglob("*")
        if p.is_file()
    )
    ours = sorted(
        p.relative_to(contract.EXAMPLES) for p in contract.EXAMPLES.rglob("*") if p.is_file()
    )
    assert ours == shared, "tests/close_examples/ lists other files than shared/close-examples/"
    names = [str(p) for p in shared]
    _match, mismatch, errors = filecmp.cmpfiles(
        contract.SHARED_EXAMPLES, contract.EXAMPLES, names, shallow=False
    )
    assert not mismatch and not errors, (mismatch, errors)
    assert any(p.parts[0] == "schemas" for p in shared), "the subfolders were compared too"


@pytest.mark.parametrize(
    ("resource", "name"),
    [(resource, name) for resource, names in contract.RESOURCES.items() for name in names],
)
def test_every_model_reads_every_example_without_degrading_a_field(resource, name):
    for item in items(name):
        parsed = MODELS[resource].from_api(item)
        assert parsed.id == item["id"]
        assert not parsed.degraded, parsed.degraded


def test_the_fields_the_app_shows_come_out_right():
    users = [User.from_api(u) for u in items("user-list.json")]
    assert [u.display_name for u in users] == ["Stefan Wojcik", "Kevin Ramani"]
    assert users[0].organizations[0].id.startswith("orga_")
    me = User.from_api(load("me.json"))
    assert me.display_name == "Anthony Nemitz" and me.organizations[0].name == "Sample Data"

    template = EmailTemplate.from_api(load("email-template-get.json"))
    assert (template.name, template.subject) == ("Cold 1", "I bet using other sales tool sucks")
    sms = SmsTemplate.from_api(load("sms-template-get.json"))
    assert sms.text.startswith("Hey {{ contact.first_name }}") and sms.status == "active"

    sequence = Sequence.from_api(load("sequence-get.json"))
    assert sequence.subscription_counts == {
        "active": 10,
        "error": 0,
        "finished": 5,
        "goal": 15,
        "paused": 2,
    }
    created = Sequence.from_api(load("sequence-create.json"))
    assert created.schedule is not None and len(created.schedule.ranges) == 5

    (raw,) = items("sequence-subscription-list.json")
    sub = Subscription.from_api(raw)
    assert sub.start_date is None and sub.date_created is not None
    assert subscription_row(sub, 0).started == "~2022-03-10"  # created, marked as not a start

    # Both timestamp forms: naive (sequences) and +00:00 (users, templates) are UTC.
    assert sequence.date_created.utcoffset().total_seconds() == 0
    assert template.extra["date_created"].endswith("+00:00")
    assert users[0].extra["date_created"].endswith("+00:00")


def test_the_detail_shows_names_from_the_documented_user_list():
    sequence = Sequence.from_api(load("sequence-get.json"))
    users = {u.id: u.display_name for u in map(User.from_api, items("user-list.json"))}
    text = plain(sequence_sheet(sequence, Names(users=users), counts=sequence.subscription_counts))
    assert "by Stefan Wojcik" in text and "user_N6Kh" not in text
    assert "10 active" in text and "15 goal" in text


# -- the demo answers as Close documents ---------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    org = DemoOrg(300)
    with (
        DemoServer(FakeClose(org)) as running,
        httpx.Client(base_url=running.base_url, auth=(DEMO_API_KEY, "")) as http,
    ):
        yield org, http


def _get(http: httpx.Client, path: str, **params: object) -> object:
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _listed(body: object) -> list[object]:
    assert isinstance(body, dict) and set(body) == {"data", "has_more"}
    assert isinstance(body["has_more"], bool)
    return body["data"]


def test_demo_sequences_have_the_documented_shape(demo):
    _org, http = demo
    listed = _listed(_get(http, "sequence/", _limit=100)) + _listed(
        _get(http, "sequence/", _skip=100, _limit=100)
    )
    assert contract.differences("sequence", listed) == []
    one = _get(http, f"sequence/{SEED_ID}/")
    assert contract.differences("sequence", [one]) == []
    assert "subscription_counts_by_status" in one


def test_demo_subscriptions_have_the_documented_shape(demo):
    org, http = demo
    found = []
    for position in range(1, 40):
        sequence = org.sequence_at(position)
        found += _listed(_get(http, "sequence_subscription/", sequence_id=sequence["id"]))
    assert len(found) > 100
    assert contract.differences("subscription", found) == []
    # A good share not started yet, as in every one of Close's examples.
    unstarted = sum(1 for sub in found if sub["start_date"] is None)
    assert 0.15 < unstarted / len(found) < 0.5


def test_demo_users_and_me_have_the_documented_shape(demo):
    _, http = demo
    users = _listed(_get(http, "user/"))
    assert contract.differences("user", users) == []
    assert contract.differences("user", [_get(http, f"user/{USERS[2]['id']}/")]) == []
    assert contract.differences("me", [_get(http, "me/")]) == []


def test_demo_templates_have_the_documented_shape(demo):
    _, http = demo
    emails = [_get(http, f"email_template/{tid}/") for tid in list(EMAIL_TEMPLATES)[:20]]
    assert contract.differences("email_template", emails) == []
    sms = [_get(http, f"sms_template/{tid}/") for tid in SMS_TEMPLATES]
    assert contract.differences("sms_template", sms) == []
    statuses = {t["status"] for t in sms}
    assert statuses <= set(load("enums.json")["sms_template.status"]["enum"])


def test_the_shape_check_catches_what_the_demo_used_to_send():
    # The demo's old users had no `organizations`, and its old templates said created_by_id:
    # the check must fail on those, or it proves nothing.
    old_user = {k: v for k, v in USERS[2].items() if k != "organizations"}
    assert "organizations: missing" in contract.differences("user", [old_user])
    old_template = dict(next(iter(EMAIL_TEMPLATES.values())))
    old_template["created_by_id"] = old_template.pop("created_by")
    problems = contract.differences("email_template", [old_template])
    assert "created_by_id: not in Close's examples" in problems
    assert "created_by: missing" in problems
    assert any(
        p.startswith("image:") for p in contract.differences("user", [{**USERS[0], "image": 5}])
    )


# -- the app, against a server that answers exactly as the reference pages show --------------


def test_show_against_the_documented_shapes_shows_names(monkeypatch, capsys):
    router = FakeClose(DemoOrg(1))
    with DemoServer(router) as server:
        monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
        # Close's documented users instead of the demo's own.
        documented_users = load("user-list.json")["data"]
        monkeypatch.setattr("closetui.demo.router.USERS", documented_users)
        code = main(["show", SEED_ID, "--base-url", server.base_url])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "by Stefan Wojcik" in out and "by Kevin Ramani" in out
    assert "user_N6Kh" not in out


async def test_the_app_against_the_documented_users_shows_names(make_app, router, monkeypatch):
    monkeypatch.setattr("closetui.demo.router.USERS", load("user-list.json")["data"])
    app = make_app()
    async with app.run_test(size=(160, 35)) as pilot:
        await settle(pilot)
        text = screen_text(app)
    assert "by Stefan Wojcik" in text and "by Kevin Ramani" in text, text
    assert "user_N6Kh" not in text


def _odd_sequence() -> dict:
    odd = load("sequence-create.json")
    odd["id"] = "seq_0ddTypesEverywhere00000"
    odd["name"] = "Odd types everywhere"
    odd["schedule"] = {"ranges": "weekdays"}
    odd["steps"][1]["delay"] = "1 day"
    odd["steps"][1]["threading"] = {"mode": "old"}
    odd["organization_id"] = 12345
    return odd


def test_a_sequence_with_odd_types_lists_and_shows(capsys, server, monkeypatch):
    server.router.org.inserted.append(_odd_sequence())
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    assert main(["list", "--base-url", server.base_url, "--filter", "odd types"]) == 0
    (row,) = capsys.readouterr().out.splitlines()
    assert row.split("\t")[:4] == ["seq_0ddTypesEverywhere00000", "active", "3", "?"]
    argv = ["show", "seq_0ddTypesEverywhere00000", "--full", "--base-url", server.base_url]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Schedule  ? (the server sent a schedule" in out
    assert "Day 0" in out and "Day ?" in out and "wait ? (the server sent no readable delay)" in out
    assert "thread   ?" in out


async def test_the_app_lists_and_renders_a_sequence_with_odd_types(make_app, server):
    server.router.org.inserted.append(_odd_sequence())
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        app.main.jump_to("seq_0ddTypesEverywhere00000")
        await settle(pilot)
        text = screen_text(app)
    assert "Odd types everywhere" in text and "Day ?" in text
    assert re.search(r"Day \? +\+\?", app.main.detail.text)  # the compact cadence's gap column
