"""Cold start: proper names standing next to a speech verb but missing from the cast.

They become new, uncast people (or new aliases of cast members whose names contain them),
their gender guessed from honorifics and the pronouns that follow their mentions.
"""

from __future__ import annotations

import re
from collections import Counter

from ...model import Gender
from .names import FEMALE_TITLES, MALE_TITLES, NAME_TOKEN, NOT_NAMES, TITLES, VERB_PATTERN, NameIndex, Person, normalise

TITLE_PATTERN = "|".join(TITLES)
PROPER_NAME = rf"(?:(?:{TITLE_PATTERN})\.?\s+)?{NAME_TOKEN}(?:\s+{NAME_TOKEN})?"
TAG_AFTER_QUOTE = re.compile(rf"^[\s,.!?;:—-]*(?:(?P<pre>{PROPER_NAME})\s+(?:\w+ly\s+)?(?:{VERB_PATTERN})\b"
                             rf"|(?:{VERB_PATTERN})\s+(?P<post>{PROPER_NAME})\b)")
FIRST_PRONOUN = re.compile(r"\b(?:(he|his|him|himself)|she|her|hers|herself)\b", re.I)


def discover(text_windows: list[str], index: NameIndex) -> Counter[str]:
    """Proper names standing next to a speech verb in the narration just after quotes, that nobody owns yet."""
    found: Counter[str] = Counter()
    for window in text_windows:
        m = TAG_AFTER_QUOTE.match(window)
        if not m:
            continue
        words = (m.group("pre") or m.group("post")).split()
        while words and words[0] in NOT_NAMES:
            words.pop(0)
        name = " ".join(words)
        if not words or words[-1] in NOT_NAMES or normalise(name) in index.owners:
            continue
        found[name] += 1
    return found


def partial_owners(name: str, people: tuple[Person, ...]) -> list[str]:
    """The people whose aliases contain *name* as whole words, e.g. "Maclay" -> Tara.

    Several owners make the name an ambiguous alias, settled by context when it is used.
    """
    words = name.split()
    title = words[0].rstrip(".") if len(words) > 1 and words[0].rstrip(".") in TITLES else None
    key = normalise(" ".join(words[1:] if title else words))
    gender = Gender.FEMALE if title and title.casefold() in FEMALE_TITLES else \
        Gender.MALE if title and title.casefold() in MALE_TITLES else None
    return [p.name for p in people if (gender is None or p.gender in (gender, Gender.UNKNOWN))
            and (any(re.search(rf"\b{re.escape(key)}\b", normalise(alias)) for alias in (p.name, *p.aliases))
                 or _nickname_and_surname(key, p))]


def _nickname_and_surname(key: str, person: Person) -> bool:
    """ "Jim Vane" for a James Vane whom the cast also calls Jim: one alias, then the surname of another."""
    words = key.split()
    keys = [normalise(a).split() for a in (person.name, *person.aliases)]
    return len(words) == 2 and [words[0]] in keys and any(len(k) > 1 and k[-1] == words[1] for k in keys)


def guess_gender(name: str, text: str) -> Gender:
    """Gender from an honorific, else from the pronouns that follow the name's mentions."""
    title = name.split()[0].rstrip(".").casefold()
    if title in FEMALE_TITLES:
        return Gender.FEMALE
    if title in MALE_TITLES:
        return Gender.MALE
    male = female = 0
    for i, m in enumerate(re.finditer(rf"\b{re.escape(name)}\b", text)):
        if i >= 40:
            break
        first = FIRST_PRONOUN.search(text, m.end(), m.end() + 120)
        if first:
            male += first.group(1) is not None
            female += first.group(1) is None
    if male > 1.5 * female:
        return Gender.MALE
    if female > 1.5 * male:
        return Gender.FEMALE
    return Gender.UNKNOWN
