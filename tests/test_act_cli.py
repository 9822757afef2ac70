"""`closetui pause|resume|unsubscribe`: refused unless changes are on, asked in words, dry
runs that send nothing, one line per run, partial failures that exit 1, the log and the cache
kept, hostile input never sent, and no write sent twice when that could apply it twice."""

from __future__ import annotations

import io
import json

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY, SEED_ID
from tests.support import contract

GOAL, ACTIVE, FINISHED, ACTIVE2 = (
    "sub_9wzEFQTVxVsByG1wULnKL8",
    "sub_z5ne7T7z2XVAN6guaK3cRN",
    "sub_ad4iqUpa2Ns0AiYrMAMrOj",
    "sub_D0lkzrAmo2PYhwCg7TXqbT",
)
PAUSED, PAUSED2 = "sub_hsVrRG5t3UNCyEzuG17JWm", "sub_taWXmR5x2TAz1pmLFPJ0AM"
ERRORS = ("sub_xsb3dnsuWERPrKPfUMpR7L", "sub_e6XO3dNGyb3D1uMZT9AIsA")


class Terminal(io.StringIO):
    """What a person types at a terminal: stdin that is a tty."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def online(server, monkeypatch, isolated_env):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


@pytest.fixture
def allowed(isolated_env):
    (isolated_env / "config.toml").write_text("allow_changes = true\n")


def writes(server) -> list:
    return [r for r in server.router.requests if r.method in ("PUT", "DELETE", "POST")]


def statuses(capsys, online) -> dict[str, str]:
    capsys.readouterr()
    assert main(["subscriptions", SEED_ID, *online]) == 0
    lines = capsys.readouterr().out.splitlines()
    return {line.split("\t")[0]: line.split("\t")[1] for line in lines}


def test_without_allow_changes_nothing_is_sent_and_the_setting_is_named(capsys, online, server):
    server.router.reset_log()
    assert main(["pause", ACTIVE, "--yes", *online]) == 2
    err = capsys.readouterr().err
    assert "allow_changes = true" in err and "nothing was sent" in err
    assert len(err.strip().splitlines()) == 1
    assert server.router.requests == []  # not even a read


def test_allow_changes_that_is_not_true_or_false_is_a_config_error(capsys, online, isolated_env):
    (isolated_env / "config.toml").write_text('allow_changes = "yes"\n')
    assert main(["pause", ACTIVE, "--yes", *online]) == 2
    assert "allow_changes" in capsys.readouterr().err


def test_a_profile_turns_changes_on_for_its_account_only(capsys, server, isolated_env):
    key = isolated_env / "key"
    key.write_text(DEMO_API_KEY)
    key.chmod(0o600)
    (isolated_env / "config.toml").write_text(
        f'[profiles.ops]\napi_key_file = "{key}"\nbase_url = "{server.base_url}"\n'
        "allow_changes = true\n"
        f'[profiles.view]\napi_key_file = "{key}"\nbase_url = "{server.base_url}"\n'
    )
    assert main(["pause", ACTIVE, "--yes", "--profile", "view"]) == 2
    assert "[profiles.view]" in capsys.readouterr().err
    assert writes(server) == []
    assert main(["pause", ACTIVE, "--yes", "--profile", "ops"]) == 0
    assert len(writes(server)) == 1


def test_dry_run_prints_the_requests_and_sends_nothing(capsys, online, server, allowed):
    server.router.reset_log()
    assert main(["pause", ACTIVE, ACTIVE2, "--dry-run", *online]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f'PUT {server.base_url}sequence_subscription/{ACTIVE}/ {{"status": "paused"}}',
        f'PUT {server.base_url}sequence_subscription/{ACTIVE2}/ {{"status": "paused"}}',
    ]
    assert server.router.requests == []


def test_yes_sends_exactly_one_put_and_the_list_shows_it_paused(capsys, online, server, allowed):
    server.router.reset_log()
    assert main(["pause", ACTIVE, "--yes", *online]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"{ACTIVE}  active → paused"
    sent = writes(server)
    assert [(r.method, r.path) for r in sent] == [("PUT", f"sequence_subscription/{ACTIVE}/")]
    assert json.loads(sent[0].body) == {"status": "paused"}
    assert statuses(capsys, online)[ACTIVE] == "paused"


def test_the_question_needs_the_typed_count(capsys, online, server, allowed, monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal("1\n"))
    assert main(["pause", ACTIVE, ACTIVE2, *online]) == 1
    err = capsys.readouterr().err
    assert "Pause 2 runs of 'My Sequence' (2 active)? Type 2 to go on:" in err
    assert "not confirmed; nothing was sent" in err
    assert writes(server) == []
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))  # y is for one run only
    assert main(["pause", ACTIVE, ACTIVE2, *online]) == 1
    assert writes(server) == []
    monkeypatch.setattr("sys.stdin", Terminal("2\n"))
    assert main(["pause", ACTIVE, ACTIVE2, *online]) == 0
    assert sorted(r.path for r in writes(server)) == sorted(
        f"sequence_subscription/{r}/" for r in (ACTIVE, ACTIVE2)
    )


def test_one_run_is_confirmed_with_y(capsys, online, server, allowed, monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["resume", PAUSED, *online]) == 0
    assert "Resume 1 run of 'My Sequence' (1 paused)? Type y to go on:" in capsys.readouterr().err
    assert len(writes(server)) == 1


def test_no_terminal_and_no_yes_is_refused_before_anything_is_sent(capsys, online, server, allowed):
    server.router.reset_log()
    assert main(["pause", ACTIVE, *online]) == 2  # pytest's stdin is no terminal
    assert "add --yes" in capsys.readouterr().err
    assert server.router.requests == []


def test_a_partial_failure_exits_1_and_lists_each_refusal(capsys, online, server, allowed):
    # One run's change fails on the server: the runs go out side by side, so which PUT
    # arrives first is not fixed, and the fault is on that run's path, not "after the first".
    server.faults.add(
        "status", path=f"sequence_subscription/{ACTIVE2}", method="PUT", times=None,
        status=500, text="Something broke <b>halfway</b>",
    )  # fmt: skip
    code = main(["pause", ACTIVE, ACTIVE2, FINISHED, "--yes", *online])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.out.splitlines()
    assert len(lines) == 3  # one line per run, whatever became of it
    assert sum("→ paused" in line for line in lines) == 1
    assert "2 of 3 not changed" in captured.err
    assert "Something broke <b>halfway</b>" in captured.err  # Close's words, as text
    assert captured.err.count("not changed:") == 2


def test_a_finished_run_and_a_plan_without_runs_are_refused_with_closes_words(
    capsys, online, server, allowed
):
    assert main(["pause", FINISHED, "--yes", *online]) == 1
    assert "finished and can no longer be changed" in capsys.readouterr().out
    server.router.org.plan_includes_runs = False
    assert main(["resume", PAUSED, "--yes", *online]) == 1
    assert "plan does not include Workflow runs" in capsys.readouterr().out
    assert statuses(capsys, online)[PAUSED] == "paused"


def test_an_errored_run_is_resumed_as_close_answers(capsys, online, server, allowed):
    assert main(["resume", "--sequence", SEED_ID, "--status", "error", "--yes", *online]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sorted(out) == sorted(f"{r}  error → active" for r in ERRORS)
    assert sorted(r.path for r in writes(server)) == sorted(
        f"sequence_subscription/{r}/" for r in ERRORS
    )


def test_a_selection_by_status_and_reason(capsys, online, server, allowed):
    assert main(["pause", ACTIVE, "--yes", *online]) == 0  # paused for a "manual" reason
    server.router.reset_log()
    args = ["resume", "--sequence", SEED_ID, "--status", "paused", "--reason", "manual"]
    assert main([*args, "--yes", *online]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{ACTIVE}  paused → active"
    assert [r.path for r in writes(server)] == [f"sequence_subscription/{ACTIVE}/"]


def test_ids_from_a_pipe_and_hostile_lines_never_sent(capsys, online, server, allowed, monkeypatch):
    hostile = [
        f"{PAUSED}\n",
        "sub_\x1b]0;owned\x07\n",
        "../../sequence/\n",
        f"{PAUSED2}; rm -rf ~\n",
        "sub_ok/../../me\n",
        "\n",
        f"  {PAUSED2}  \n",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(hostile)))
    assert main(["resume", "-", "--yes", *online]) == 1  # not all it was given was a run id
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err and "\x07" not in captured.err
    assert captured.err.count("is not a run id") == 4
    assert "line 2 of stdin" in captured.err
    paths = {r.path for r in server.router.requests}
    assert paths <= {f"sequence_subscription/{PAUSED}/", f"sequence_subscription/{PAUSED2}/",
                     f"sequence/{SEED_ID}/"}  # fmt: skip
    assert len(writes(server)) == 2


def test_the_pipeline_from_subscriptions_resumes_what_is_paused(capsys, online, server, allowed):
    assert main(["subscriptions", SEED_ID, "--status", "paused", *online]) == 0
    ids = "".join(line.split("\t")[0] + "\n" for line in capsys.readouterr().out.splitlines())
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(ids)
    try:
        assert main(["resume", "-", "--yes", *online]) == 0
    finally:
        sys.stdin = old
    after = statuses(capsys, online)
    assert after[PAUSED] == after[PAUSED2] == "active"


def test_each_change_is_logged_without_the_key(capsys, online, allowed, isolated_env):
    assert main(["pause", ACTIVE, "--yes", *online]) == 0
    log = (isolated_env / "logs" / "closetui.log").read_text()
    line = next(line for line in log.splitlines() if "closetui.changes" in line)
    assert f"pause {ACTIVE}: active → paused at 20" in line
    assert DEMO_API_KEY not in log


def test_the_cache_holds_the_new_status(capsys, online, allowed):
    assert statuses(capsys, online)[ACTIVE] == "active"  # the runs are cached
    assert main(["pause", ACTIVE, "--yes", *online]) == 0
    capsys.readouterr()
    assert main(["subscriptions", SEED_ID, "--offline", *online]) == 0  # what the cache says
    lines = capsys.readouterr().out.splitlines()
    assert {ln.split("\t")[0]: ln.split("\t")[1] for ln in lines}[ACTIVE] == "paused"
    assert main(["unsubscribe", ACTIVE2, "--yes", *online]) == 0
    capsys.readouterr()
    assert main(["subscriptions", SEED_ID, "--offline", *online]) == 0
    assert ACTIVE2 not in capsys.readouterr().out


def test_a_dropped_delete_is_not_sent_again_and_close_is_asked(capsys, online, server, allowed):
    server.faults.add("applied_drop", path="sequence_subscription/", method="DELETE")
    server.router.reset_log()
    assert main(["unsubscribe", ACTIVE, "--yes", *online]) == 0
    assert capsys.readouterr().out.strip() == f"{ACTIVE}  active → removed"
    sent = [(r.method, r.path) for r in server.router.requests]
    assert sent.count(("DELETE", f"sequence_subscription/{ACTIVE}/")) == 1
    assert sent[-1] == ("GET", f"sequence_subscription/{ACTIVE}/")  # what became of it
    assert ACTIVE not in statuses(capsys, online)


def test_a_delete_answered_503_is_not_sent_again(capsys, online, server, allowed):
    server.faults.add("status", path="sequence_subscription/", method="DELETE", status=503)
    assert main(["unsubscribe", ACTIVE, "--yes", *online]) == 1
    assert "still there (active): not sent again" in capsys.readouterr().out
    assert [r.method for r in writes(server)] == ["DELETE"]


def test_a_dropped_put_is_sent_again_as_it_is_idempotent(capsys, online, server, allowed):
    server.faults.add("applied_drop", path="sequence_subscription/", method="PUT")
    assert main(["pause", ACTIVE, "--yes", *online]) == 0
    assert capsys.readouterr().out.strip() == f"{ACTIVE}  active → paused"
    assert [r.method for r in writes(server)] == ["PUT", "PUT"]  # the same status, twice
    assert statuses(capsys, online)[ACTIVE] == "paused"


def test_a_429_on_a_write_waits_and_sends_it_once_more(capsys, online, server, allowed):
    server.faults.add("status", path="sequence_subscription/", method="DELETE", status=429,
                      retry_after=0.05)  # fmt: skip
    assert main(["unsubscribe", ACTIVE, "--yes", *online]) == 0
    assert [r.method for r in writes(server)] == ["DELETE", "DELETE"]  # refused, then applied


def test_the_answer_to_a_pause_has_closes_documented_shape(capsys, online, server, allowed):
    import httpx

    answer = httpx.put(
        f"{server.base_url}sequence_subscription/{ACTIVE}/",
        json={"status": "paused"},
        auth=(DEMO_API_KEY, ""),
    ).json()
    documented = contract.load("sequence-subscription-paused.json")
    assert set(answer) == set(documented)
    assert contract.differences("subscription", [answer]) == []
    assert (answer["status"], answer["status_reason"]) == ("paused", "manual")


async def test_the_client_reads_closes_answers_to_each_change(make_client):
    client = make_client()
    documented = contract.load("sequence-subscription-paused.json")
    run, raw = await client.get_subscription(ACTIVE)
    assert run.status == "active" and contract.differences("subscription", [raw]) == []
    paused, raw = await client.set_subscription_status(ACTIVE, "paused")
    assert (paused.id, paused.status, paused.status_reason) == (ACTIVE, "paused", "manual")
    assert set(raw) == set(documented) and not paused.degraded
    resumed, _ = await client.set_subscription_status(ACTIVE, "active")
    assert (resumed.status, resumed.status_reason) == ("active", None)
    assert await client.delete_subscription(ACTIVE) is None
    from closetui.errors import NotFound

    with pytest.raises(NotFound):
        await client.get_subscription(ACTIVE)


def test_offline_changes_are_refused_before_anything(capsys, online, server, allowed):
    server.router.reset_log()
    assert main(["pause", ACTIVE, "--yes", "--offline", *online]) == 2
    assert "not with --offline" in capsys.readouterr().err
    assert server.router.requests == []


def test_a_put_answered_503_is_sent_again_with_the_backoff(capsys, online, server, allowed):
    server.faults.add("status", path="sequence_subscription/", method="PUT", status=503)
    assert main(["pause", ACTIVE, "--yes", *online]) == 0
    assert [r.method for r in writes(server)] == ["PUT", "PUT"]


def test_closes_refusal_is_shown_inert(capsys, online, server, allowed):
    server.faults.add("status", path="sequence_subscription/", method="PUT", status=400,
                      text="\x1b]0;owned\x07 \x1b[2Jnope")  # fmt: skip
    assert main(["pause", ACTIVE, "--yes", *online]) == 1
    captured = capsys.readouterr()
    assert "nope" in captured.out and "nope" in captured.err
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.out


def test_the_subscriptions_tsv_can_be_piped_whole(capsys, online, server, allowed, monkeypatch):
    assert main(["subscriptions", SEED_ID, "--status", "error", *online]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(capsys.readouterr().out))
    assert main(["resume", "-", "--yes", *online]) == 0
    assert sorted(capsys.readouterr().out.splitlines()) == sorted(
        f"{r}  error → active" for r in ERRORS
    )


def test_the_sequences_cached_counts_follow_a_change(capsys, online, allowed):
    assert main(["show", SEED_ID, "--format", "json", *online]) == 0
    before = json.loads(capsys.readouterr().out)["subscription_counts_by_status"]
    assert main(["pause", ACTIVE, "--yes", *online]) == 0
    assert main(["unsubscribe", FINISHED, "--yes", *online]) == 0
    capsys.readouterr()
    assert main(["show", SEED_ID, "--format", "json", "--offline", *online]) == 0
    after = json.loads(capsys.readouterr().out)["subscription_counts_by_status"]
    assert after["active"] == before["active"] - 1
    assert after["paused"] == before["paused"] + 1
    assert after["finished"] == before["finished"] - 1


def test_a_redirected_write_is_not_followed(capsys, online, server, allowed):
    server.faults.add("redirect_loop", path="sequence_subscription/", method="PUT")
    assert main(["pause", ACTIVE, "--yes", *online]) == 1
    assert "redirected the PUT" in capsys.readouterr().out
    assert [r.method for r in writes(server)] == ["PUT"]
    assert statuses(capsys, online)[ACTIVE] == "active"


def test_a_delete_past_its_deadline_is_looked_up_not_resent(
    capsys, online, server, allowed, monkeypatch
):
    monkeypatch.setenv("CLOSETUI_REQUEST_DEADLINE", "1")
    server.faults.add("hang", path="sequence_subscription/", method="DELETE", seconds=5)
    assert main(["unsubscribe", ACTIVE, "--yes", *online]) == 1
    out = capsys.readouterr().out
    assert "did not finish answering" in out and "still there (active)" in out
    assert [r.method for r in writes(server)] == ["DELETE"]


def test_a_dry_run_needs_no_allow_changes_and_sends_nothing(capsys, online, server):
    server.router.reset_log()
    assert main(["pause", ACTIVE, "--dry-run", *online]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f'PUT {server.base_url}sequence_subscription/{ACTIVE}/ {{"status": "paused"}}']
    assert server.router.requests == []


def test_runs_already_as_asked_are_left_alone(capsys, online, server, allowed):
    server.router.reset_log()
    assert main(["resume", ACTIVE, PAUSED, "--yes", *online]) == 0
    captured = capsys.readouterr()
    assert "1 run already active is left as it is" in captured.err
    sent = writes(server)
    assert [r.path for r in sent] == [f"sequence_subscription/{PAUSED}/"]  # not the active one
    assert statuses(capsys, online)[PAUSED] == "active"


def test_run_ids_from_the_server_that_are_not_run_ids_are_never_written_to(
    capsys, online, server, allowed, monkeypatch
):
    """A hostile list of runs (ids such as `..` or `sub_a/../../lead/x`) must not turn a
    pause into a write to another address."""
    hostile = ["..", ".", "sub_a/../../lead/lead_x", "sub_x?y=1#z", "sub_\x1b]0;x\x07"]
    original = server.router.org.subscriptions

    def subscriptions(sequence_id, skip, limit, *args, **kwargs):
        items, more = original(sequence_id, skip, limit, *args, **kwargs)
        if skip == 0:
            items = [dict(items[i], id=bad, status="active") for i, bad in enumerate(hostile)]
        return items, more

    monkeypatch.setattr(server.router.org, "subscriptions", subscriptions)
    server.router.reset_log()
    code = main(["pause", "--sequence", SEED_ID, "--status", "active", "--dry-run", *online])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "not a run id" in out
    assert code == 0 or code == 1
    server.router.reset_log()
    assert main(["pause", "--sequence", SEED_ID, "--status", "active", "--yes", *online]) == 1
    paths = [r.path for r in writes(server)]
    assert all(p.startswith("sequence_subscription/sub_") and p.count("/") == 2 for p in paths)
    assert not any(bad in p for p in paths for bad in ("lead", "..", "?"))


def test_a_pause_applied_whose_answers_are_all_lost_is_checked_and_counted_done(
    capsys, online, server, allowed
):
    """Close applied the PUT each time and its answer never came: once the retries run out,
    Close is asked; the run is paused, and that is what is said (and kept)."""
    server.faults.add("applied_drop", method="PUT", times=None)
    server.router.reset_log()
    code = main(["pause", ACTIVE, "--yes", *online])
    captured = capsys.readouterr()
    assert f"{ACTIVE}  active → paused" in captured.out, captured
    assert code == 0
    assert statuses(capsys, online)[ACTIVE] == "paused"
