"""Names known for ids, as the lookups find them: the value types the detail draws from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    """What the detail shows for a template: found (name, a second line) or not found."""

    id: str
    name: str | None = None
    detail: str | None = None  # an email's subject, an SMS's first line
    missing: bool = False
    # What the step says: an email's HTML body or an SMS's text; None when not known (a
    # cache from before bodies were kept, or an answer without one).
    body: str | None = None
    html: bool = False  # the body is HTML (an email's), not plain text


@dataclass
class Names:
    """Names known for ids. Empty until the lookups arrive; an unknown id shows as itself."""

    users: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, TemplateInfo] = field(default_factory=dict)

    def user(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return self.users.get(user_id, user_id)
