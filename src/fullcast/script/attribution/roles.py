"""Roles people play: those the story teaches ("Mr. Wells, the lawyer,") and family roles ("her mother").

After "said Mr. Buttons, the chairman," a reader takes "asked the chairman" as him.

The story teaches a role by setting it right after someone's name ("Mr. Wells, the lawyer,"). It counts only when the
book also lets the role alone speak in an inverted tag ("murmured the lawyer."), so that it is a person's role and not
a thing named after a vocative ("Marilla, the brooch"), and when every such apposition names the same person. A role
the cast already knows ("The Coroner") stays the cast's, and kinds and family roles ("the girl", "the mother") fit
anyone of their kind.

A tag such as "said her mother" names someone through a possessor. The cast rarely says who is
whose mother, but its names do: an alias that names the role ("Lucy's Mother", "Aunt Juley"), a
shared surname, a Mrs. (married: a wife or mother, never a sister) and a man known only as
Mr. Surname (the elder generation of his family).
"""

from __future__ import annotations

import re

from .names import ARTICLES, KIN_ROLES, KINDS, VERB_PATTERN, NameIndex, Person, normalise

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


# --------------------------------------------------------------------------- family roles


def kin_candidates(index: NameIndex, possessor: str, role: str) -> list[str]:
    """People who may be *possessor*'s *role* ("brother"): the right gender, and an alias naming the role
    ("Lucy's Mother", "Aunt Juley") or else the possessor's surname, when who is a Mrs. fits the role."""
    gender = KIN_ROLES[role]
    owner = next((p for p in index.people if p.name == possessor), None)
    if owner is None:
        return []
    fits = [p for p in index.people if p.name != possessor and p.gender is gender]
    first = {normalise(a).split()[0] for a in (owner.name, *owner.aliases) if a.split()} - set(ARTICLES)
    named = [p.name for p in fits if any(role in (w := normalise(a).split()) and (w[0].removesuffix("'s") in first or
                                                                                   w[0] == role)
                                          for a in (p.name, *p.aliases))]
    if named:
        return named
    surnames = {w[-1] for a in (owner.name, *owner.aliases) if len(w := normalise(a).split()) > 1}
    kin = [p for p in fits if any(len(w := normalise(a).split()) > 1 and w[-1] in surnames
                                  for a in (p.name, *p.aliases)) and _generation_fits(index, owner, p, role)]
    return [p.name for p in kin]


def _elder(person: Person) -> bool:
    """Someone the cast knows only by a title and surname ("Mr. Archer"): of the elder generation in a family."""
    keys = [normalise(a).split() for a in (person.name, *person.aliases)]
    return all(len(k) == 2 and k[0] in ("mr", "mrs") for k in keys if k)


def elder_generation(index: NameIndex, names: set[str]) -> set[str]:
    """Those of *names* the cast knows only by title and surname: someone's father or mother, more likely than not."""
    return {p.name for p in index.people if p.name in names and _elder(p)}


def may_be(index: NameIndex, name: str, role: str) -> bool:
    """Whether *name* may be anyone's *role* judging by who is a Mrs.: a wife or mother is, a sister is not."""
    if role in ("wife", "mother", "grandmother"):
        return name in index.married
    return not (role in ("sister", "daughter", "niece") and name in index.married)


def _generation_fits(index: NameIndex, owner: Person, kin: Person, role: str) -> bool:
    """Whether *kin* may be *owner*'s *role* judging by who is a Mrs. (`may_be`) and who the cast calls only Mr."""
    if not may_be(index, kin.name, role):
        return False
    if role == "husband":
        return owner.name in index.married
    if role in ("son", "daughter", "nephew", "niece") and _elder(kin) and not _elder(owner):
        return False  # "Mr. Archer" is Newland Archer's father, not his son
    return not (role in ("brother", "sister", "father", "mother") and owner.name in index.married)
