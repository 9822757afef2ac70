"""Why a run stopped, in words: Close's `status_reason` (its documented enum `StatusReason`,
31 values) as a few words for a column, and a line of advice for the run's detail.

A value Close adds later is shown as it comes (made inert by whoever draws it), never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# value -> (words, what it means and what to do; "" where the words say it all)
REASONS: dict[str, tuple[str, str]] = {
    "manual": ("by hand", "someone paused or stopped this run by hand in Close"),
    "pending-call-timed-out": (
        "call step timed out",
        "a call step waited too long for someone to make the call",
    ),
    "bulk-action": ("bulk action", "a bulk action in Close paused or stopped this run"),
    "rate-limited": ("rate limited", "Close held sending back for its rate limit"),
    "sequence-deleted": ("sequence deleted", "the sequence this run belonged to was deleted"),
    "workflow-paused": ("sequence paused", "the whole sequence was paused: resume it to go on"),
    "filter-not-matched": (
        "filter not matched",
        "the lead no longer matches the sequence's trigger filter",
    ),
    "reply-received": ("reply received", "the contact replied, so the sequence stopped"),
    "call-answered": ("call answered", "a call to the contact was answered"),
    "meeting-booked": ("meeting booked", "the contact booked a meeting"),
    "lead-status-changed": (
        "lead status changed",
        "the lead's status changed to one that ends the sequence",
    ),
    "outcome-met": ("outcome met", "the outcome the sequence aims for was reached"),
    "account-invalid": (
        "account invalid",
        "the sending email account is disconnected or invalid: reconnect it in Close",
    ),
    "account-failures": (
        "sending account failing",
        "the sending email account kept failing: check it in Close's settings",
    ),
    "sending-throttled-too-long": (
        "throttled too long",
        "sending was held back for too long (the account's sending limits)",
    ),
    "membership-inactive": (
        "sender no longer a member",
        "the sending user is no longer active in the organization: pick another sender",
    ),
    "send-as-error": (
        "send-as not allowed",
        "the sender may not send as the chosen user: check Send As permissions",
    ),
    "email-bounced": ("email bounced", "the address bounced: check it on the lead"),
    "call-failed": ("call failed", "a call step could not be placed"),
    "sms-failed": ("SMS failed", "an SMS step could not be sent: check the number"),
    "no-user-phone": ("no phone for sender", "the sending user has no phone number for calls/SMS"),
    "billing-error": ("billing error", "Close stopped the run over a billing problem"),
    "assignment-field-invalid": (
        "assignment field invalid",
        "the field that assigns the run's user holds no usable user",
    ),
    "lead-status-field-invalid": (
        "lead status invalid",
        "a step sets a lead status that no longer exists",
    ),
    "assignees-missing": ("no assignee", "nobody is assigned for the run's calls or tasks"),
    "run-as-disabled": ("run-as user disabled", "the user the run acts as is disabled"),
    "lead-not-visible": (
        "lead not visible",
        "the sending user may not see this lead (permissions)",
    ),
    "internal-error": ("Close internal error", "Close had an internal error: try resuming"),
    "field-mapping-error": (
        "field mapping error",
        "a template field could not be filled from the lead or contact",
    ),
    "filter-config-invalid": ("filter invalid", "the sequence's trigger filter is invalid"),
    "email-ai-generation-failed": (
        "AI email failed",
        "an AI-written email step could not be generated",
    ),
}


def reason_words(value: str | None) -> str:
    """A few words for a reason; an unknown value as it came; "" for none."""
    if not value:
        return ""
    known = REASONS.get(value)
    return known[0] if known is not None else value


def reason_advice(value: str | None) -> str:
    """One line on what the reason means and what to do, when one is known."""
    if not value:
        return ""
    known = REASONS.get(value)
    return known[1] if known is not None else ""


def reason_parts(
    counts: Mapping[tuple[str, str | None], int], order: Iterable[str]
) -> list[tuple[str, int, str]]:
    """(status, runs, `email bounced 7 · account invalid 5`) for each status in `order` that
    has runs with a reason; counts are by (status, reason). The three commonest reasons are
    named, the rest counted."""
    parts = []
    for status in order:
        reasons = sorted(
            ((reason, n) for (s, reason), n in counts.items() if s == status and reason),
            key=lambda item: (-item[1], item[0]),
        )
        if not reasons:
            continue
        total = sum(n for (s, _), n in counts.items() if s == status)
        said = " · ".join(f"{reason_words(reason)} {n:,}" for reason, n in reasons[:3])
        if len(reasons) > 3:
            said += f" · {len(reasons) - 3} more"
        parts.append((status, total, said))
    return parts


def reason_summary(counts: Mapping[tuple[str, str | None], int], order: Iterable[str]) -> str:
    """`12 error: email bounced 7 · account invalid 5   3 paused: by hand 3` (the count
    first, so that a status word is never followed by a space: a line that says "error" as
    a run's status stays told apart from this one)."""
    return "   ".join(f"{n:,} {s}: {said}" for s, n, said in reason_parts(counts, order))
