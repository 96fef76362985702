"""Roles the story gives its people: after "said Mr. Buttons, the chairman," a reader takes "asked the chairman" as him.

The story teaches a role by setting it right after someone's name ("Mr. Wells, the lawyer,"). It counts only when the
book also lets the role alone speak in an inverted tag ("murmured the lawyer."), so that it is a person's role and not
a thing named after a vocative ("Marilla, the brooch"), and when every such apposition names the same person. A role
the cast already knows ("The Coroner") stays the cast's, and kinds and family roles ("the girl", "the mother") fit
anyone of their kind.
"""

from __future__ import annotations

import re

from .names import KIN_ROLES, KINDS, VERB_PATTERN, NameIndex

APPOSITION = re.compile(r",\s+the\s+([a-z]+)(?=\s*[,.;:!?)—-])")
"""`, the lawyer,` right after a name: the role the story gives that person."""
ROLE_TAG = re.compile(rf"\b(?:{VERB_PATTERN})\s+the\s+([a-z]+)(?=\s*[,.;:!?—-]|\s+(?:\w+ly|to|with|in|at|as)\b)")
"""`asked the chairman.`: a role alone as the speaker of an inverted tag."""
NOT_ROLES = frozenset("other former latter first last same one rest whole".split())
"""Words after "the" that point back at someone rather than say what they are."""
NAME_REACH = 60
"""How far before the apposition the name may start."""


def learn_roles(text: str, index: NameIndex) -> dict[str, list[str]]:
    """Person -> the roles ("the lawyer") the text sets right after their name and lets speak alone in a tag."""
    owners: dict[str, set[str]] = {}
    for m in APPOSITION.finditer(text):
        role = m.group(1)
        if role in NOT_ROLES or role in KINDS or role in KIN_ROLES:
            continue
        before = index.mentions(text, max(0, m.start() - NAME_REACH), m.start(), pronouns=False)
        name = before[-1] if before else None
        if name and name.end == m.start() and len(name.names) == 1 and not name.possessive:
            owners.setdefault(role, set()).add(name.names[0])
    spoken = {m.group(1) for m in ROLE_TAG.finditer(text)}
    found: dict[str, list[str]] = {}
    for role, names in owners.items():
        if len(names) == 1 and role in spoken and f"the {role}" not in index.owners:
            found.setdefault(next(iter(names)), []).append(f"the {role}")
    return found
