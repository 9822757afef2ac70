"""The history: what changed in a sequence, from the versions the cache kept.

After a sync, someone changes a sequence in Close (on the loopback demo server), another sync
brings the new version, and `closetui changes` / `show --history` say what changed, in words;
across restarts, offline, within the bounds, and past a damaged version row.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from closetui.cli import main
from closetui.demo import DemoOrg, FakeClose
from closetui.demo.data import DEMO_API_KEY, SEED_ID, USERS
from closetui.store.cache import SUFFIX, accounts

DAY = 86400


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg(size=30))


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def shorter_wait(item):
    item["steps"][1]["delay"] = 2 * DAY  # was 3 days


def renamed_and_paused(item):
    item["name"] = "Trial expiring push"
    item["status"] = "paused" if item["status"] != "paused" else "active"


def sms_added(item):
    item["steps"].append(
        {"id": "seqstep_SmsNudgeAddedInTest00", "step_type": "sms", "delay": 5 * DAY,
         "sms_template_id": None, "email_template_id": None, "threading": None,
         "required": True, "step_allowed_delay": None}
    )  # fmt: skip


def first_removed(item):
    del item["steps"][0]


def test_a_change_between_two_syncs_is_named_in_words(capsys, online, router):
    assert run(capsys, "sync", *online)[0] == 0
    code, out, _ = run(capsys, "changes", *online)
    assert code == 0 and "No changes seen" in out  # one sync: one version of everything

    router.org.edit(SEED_ID, shorter_wait, by=3)
    other, was = router.org.sequence_at(5)["id"], router.org.sequence_at(5)["status"]
    now = router.org.edit(other, renamed_and_paused)["status"]
    assert run(capsys, "sync", *online)[0] == 0

    code, out, _ = run(capsys, "changes", *online)
    assert code == 0
    seed_lines = [line for line in out.splitlines() if SEED_ID in line]
    assert len(seed_lines) == 1
    assert "step 2: wait 3 days → 2 days" in seed_lines[0]
    assert f"{USERS[3]['first_name']}" in seed_lines[0]  # who changed it, by name
    other_lines = [line for line in out.splitlines() if other in line]
    assert any("renamed '" in line and "→ 'Trial expiring push'" in line for line in other_lines)
    assert any(f"status {was} → {now}" in line for line in other_lines)


def test_steps_added_and_removed_and_the_json_form(capsys, online, router):
    assert run(capsys, "sync", *online)[0] == 0
    router.org.edit(SEED_ID, sms_added)
    assert run(capsys, "sync", *online)[0] == 0
    router.org.edit(SEED_ID, first_removed)
    assert run(capsys, "sync", *online)[0] == 0

    code, out, _ = run(capsys, "changes", "--format", "json", *online)
    assert code == 0
    found = json.loads(out)
    assert [c["sequence_id"] for c in found] == [SEED_ID, SEED_ID]  # newest first
    assert found[0]["changes"] == ["step 1 removed: Day 1 ✉ Email 'Intro: quick question'"]
    assert found[1]["changes"] == ["step 3 added: Day 9 ✆ SMS"]
    lines = run(capsys, "changes", "--format", "jsonl", *online)[1].splitlines()
    assert [json.loads(line)["changes"] for line in lines] == [c["changes"] for c in found]


def test_show_history_lists_the_versions_newest_first_online_and_offline(capsys, online, router):
    assert run(capsys, "show", SEED_ID, *online)[0] == 0  # a detail fetch is a version too
    router.org.edit(SEED_ID, shorter_wait)
    code, out, _ = run(capsys, "show", SEED_ID, "--history", *online)
    assert code == 0
    history = out[out.index("History") :]
    assert history.index("Version 1") < history.index("Version 2")
    assert "· current" in history
    assert "step 2: wait 3 days → 2 days" in history
    assert "the first version the cache saw" in history

    # A later run, offline: the same history, from the cache alone.
    code, offline_out, _ = run(capsys, "show", SEED_ID, "--history", "--offline", *online)
    assert code == 0
    assert offline_out[offline_out.index("History") :] == history
    code, out, _ = run(capsys, "changes", "--offline", *online)
    assert code == 0 and "step 2: wait 3 days → 2 days" in out

    code, out, _ = run(capsys, "show", SEED_ID, "--history", "--format", "json", *online)
    data = json.loads(out)
    assert [v["changes"] for v in data["history"]] == [["step 2: wait 3 days → 2 days"], []]


def test_a_fetch_that_changes_nothing_keeps_nothing(capsys, online, router):
    for _ in range(3):
        assert run(capsys, "sync", *online)[0] == 0
        assert run(capsys, "show", SEED_ID, *online)[0] == 0
    code, out, _ = run(capsys, "show", SEED_ID, "--history", "--format", "json", *online)
    assert code == 0
    assert len(json.loads(out)["history"]) == 1


def test_the_bounds_come_from_the_config(capsys, online, router, isolated_env):
    (isolated_env / "config.toml").write_text("history_per_sequence = 2\nhistory_total = 3\n")
    for delay in (1, 2, 4, 5, 6):
        router.org.edit(SEED_ID, lambda item, d=delay: item["steps"][1].update(delay=d * DAY))
        assert run(capsys, "show", SEED_ID, *online)[0] == 0
    out = run(capsys, "show", SEED_ID, "--history", "--format", "json", *online)[1]
    history = json.loads(out)["history"]
    assert len(history) == 3  # the current version and the two before it
    assert history[0]["changes"] == ["step 2: wait 5 days → 6 days"]

    other = router.org.sequence_at(3)["id"]
    for name in ("One", "Two", "Three"):
        router.org.edit(other, lambda item, n=name: item.update(name=n))
        assert run(capsys, "show", other, *online)[0] == 0
    found = json.loads(run(capsys, "changes", "--format", "json", *online)[1])
    assert len(found) <= 3  # three earlier versions at most, across the account
    assert found[0]["changes"] == ["renamed 'Two' → 'Three'"]

    (isolated_env / "config.toml").write_text("history_total = -1\n")
    code, _, err = run(capsys, "changes", *online)
    assert code == 2 and "history_total" in err


def _kept_versions(capsys, online, router, isolated_env) -> tuple[sqlite3.Connection, list]:
    """The seed sequence seen in four versions (a wait changed three times), and its cache
    opened beside closetui with the kept versions' row ids, oldest first."""
    assert run(capsys, "show", SEED_ID, *online)[0] == 0
    for delay in (2, 1, 4):
        router.org.edit(SEED_ID, lambda item, d=delay: item["steps"][1].update(delay=d * DAY))
        assert run(capsys, "show", SEED_ID, *online)[0] == 0
    (path,) = accounts(isolated_env / "cache")
    db = sqlite3.connect(path)
    rows = [r[0] for r in db.execute("SELECT rid FROM versions ORDER BY first_seen")]
    return db, rows


def test_a_damaged_or_foreign_version_row_is_skipped_with_a_notice(
    capsys, online, router, isolated_env
):
    db, rows = _kept_versions(capsys, online, router, isolated_env)
    with db:
        db.execute("UPDATE versions SET json='{not json' WHERE rid=?", (rows[0],))
        db.execute("UPDATE versions SET format=99 WHERE rid=?", (rows[1],))
    db.close()
    code, out, err = run(capsys, "changes", "--offline", *online)
    assert code == 0
    assert "2 kept versions of a sequence could not be read" in err
    assert "step 2: wait 1 day → 4 days" in out  # what could be read is still there
    code, out, err = run(capsys, "show", SEED_ID, "--history", "--offline", *online)
    assert code == 0 and "could not be read" in err and "Traceback" not in err


def test_a_version_nested_too_deep_or_out_of_time_is_damaged_not_a_crash(
    capsys, online, router, isolated_env
):
    db, rows = _kept_versions(capsys, online, router, isolated_env)
    with db:
        deep = '{"steps":' + "[" * 50_000 + "]" * 50_000 + "}"
        db.execute("UPDATE versions SET json=? WHERE rid=?", (deep, rows[0]))
        db.execute("UPDATE versions SET first_seen=-1e308 WHERE rid=?", (rows[1],))
        db.execute("UPDATE version_heads SET first_seen=1e308")
    db.close()
    for fmt in ("text", "json"):
        code, _out, err = run(
            capsys, "show", SEED_ID, "--history", "--offline", "--format", fmt, *online
        )
        assert code == 0, err
        assert "could not be read" in err and "unexpected error" not in err
    code, _out, err = run(capsys, "changes", "--offline", *online)
    assert code == 0 and "unexpected error" not in err


def test_a_cache_of_the_first_schema_is_migrated_and_kept(capsys, online, router, isolated_env):
    assert run(capsys, "sync", *online)[0] == 0
    (path,) = accounts(isolated_env / "cache")
    db = sqlite3.connect(path)
    with db:  # what a cache written before the history looks like
        db.execute("DROP TABLE versions")
        db.execute("DROP TABLE looked")
        db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.close()
    code, out, err = run(capsys, "list", "--offline", *online)
    assert code == 0 and len(out.splitlines()) == 30 and "moved" not in err  # nothing lost
    assert not list(path.parent.glob(f"*{SUFFIX}.broken-*"))
    router.org.edit(SEED_ID, shorter_wait)
    assert run(capsys, "sync", *online)[0] == 0
    assert run(capsys, "sync", *online)[0] == 0
    router.org.edit(SEED_ID, renamed_and_paused)
    assert run(capsys, "sync", *online)[0] == 0
    out = run(capsys, "changes", *online)[1]
    assert "renamed 'My Sequence' → 'Trial expiring push'" in out


# What an earlier closetui kept as these demo sequences' fingerprints (`version_heads`): a
# digest is stored, so the same sequence must give the same one in every release, or an
# upgrade would show every sequence as changed.
KEPT_DIGESTS = {
    "seq_3CtqAl6ynk4FbJmZIlCYAx": "ee8a94a5fb2b5c985764ae9f",  # My Sequence: no schedule
    "seq_uaFetmqCpHgaa23fR80003": "bb571dd6be3eecc77f207b17",  # the tour: every kind of step
    "seq_aCLErNd0Xr1nPh2v110007": "1bd377f9c24cf64e1e4c002e",
    "seq_vxYZz5ldcYRq4tAhmH000C": "8812518552e989952f3c2374",
}


def test_a_cache_an_earlier_closetui_wrote_sees_no_change(capsys, online, router, isolated_env):
    assert run(capsys, "sync", *online)[0] == 0
    (path,) = accounts(isolated_env / "cache")
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "UPDATE version_heads SET fingerprint=? WHERE sequence_id=?",
            [(digest, sequence_id) for sequence_id, digest in KEPT_DIGESTS.items()],
        )
    db.close()
    # Each fetched again unlike its cached row only where a person would not notice (its
    # `date_updated`): a fetch the same as the cached row, character for character, is
    # the same version without its digest, so only this asks the kept digests.
    for sequence_id in KEPT_DIGESTS:
        assert router.org.edit(sequence_id, lambda item: None) is not None
    assert run(capsys, "sync", *online)[0] == 0
    code, out, _ = run(capsys, "changes", "--format", "json", *online)
    assert code == 0
    assert json.loads(out) == []


def test_since_takes_an_age_or_a_date(capsys, online, router):
    assert run(capsys, "sync", *online)[0] == 0
    router.org.edit(SEED_ID, shorter_wait)
    assert run(capsys, "sync", *online)[0] == 0
    assert "wait 3 days → 2 days" in run(capsys, "changes", "--since", "1h", *online)[1]
    assert "wait 3 days → 2 days" in run(capsys, "changes", "--since", "2020-01-01", *online)[1]
    assert (
        "No changes seen since 2999-01-01"
        in run(capsys, "changes", "--since", "2999-01-01", *online)[1]
    )
    code, _, err = run(capsys, "changes", "--since", "last tuesday", *online)
    assert code == 2 and "--since takes an age" in err and "Traceback" not in err


def test_offline_with_nothing_cached_says_so(capsys, online):
    code, _, err = run(capsys, "changes", "--offline", *online)
    assert code == 4 and "nothing is cached" in err


def test_the_demo_starts_with_changes_to_show(capsys):
    code, out, _ = run(capsys, "--demo", "changes")
    assert code == 0
    assert "renamed 'My sequence (draft)' → 'My Sequence'" in out
    assert "step 2: wait 2 days → 3 days" in out
    assert "removed: Day" in out and "added: Day" in out
    again = run(capsys, "--demo", "changes")[1]
    assert again.count("\n") == out.count("\n")  # seeded once, not on every start


def test_a_change_of_thousands_of_steps_is_counted_not_listed():
    from closetui.close.models import Sequence
    from closetui.present.history import MAX_STEP_CHANGES, describe

    def sequence(delay: int) -> Sequence:
        steps = [{"id": f"seqstep_{i}", "step_type": "call", "delay": delay} for i in range(5000)]
        return Sequence.from_api({"id": "seq_big", "name": "Big", "steps": steps})

    lines = describe(sequence(DAY), sequence(2 * DAY))
    assert len(lines) == MAX_STEP_CHANGES + 1
    assert lines[-1] == f"… and {5000 - MAX_STEP_CHANGES:,} more step changes"
