"""Cold start: proper names standing next to a speech verb but missing from the cast.

They become new, uncast people (or new aliases of cast members whose names contain them),
their gender guessed from honorifics and the pronouns that follow their mentions.

- A title stays part of the name: "Miss Bates", "Mrs. Bates" and "Mr. John Knightley" are people of
  their own, never merged into a "Mr. Bates" or into each other, since a family shares its surname.
- Family and rank names speak too: "Father Wolf", "Aunt Polly", "said Mother", "said the Colonel",
  "said the prefect", "said the Mock Turtle". "The Colonel" is the one Colonel the story names, if any.
- Variants of one name are one person: an untitled full name and its parts ("Fitzwilliam Darcy", "Darcy";
  a part shared by several people stays an ambiguous alias of each), and spellings one letter apart
  ("Katharine", "Katherine") or differing only by accents ("Léonce", "Leonce").
- An AO3 archive's Character tags seed the cast before discovery (`seed_people`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ...model import Gender
from .names import FEMALE_TITLES, MALE_TITLES, NOT_NAMES, RANKS, TITLES, VERB_PATTERN, NameIndex, Person, normalise
from .roles import NOT_ROLES

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
NAME_WORD = rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?"
"""A capitalised word, accents allowed ("Léonce", "Frog-Footman")."""
TITLE_PATTERN = "|".join(TITLES)
PROPER_NAME = rf"(?:(?:{TITLE_PATTERN})\.?\s+)?{NAME_WORD}(?:\s+{NAME_WORD})?"
OFFICES = ("prefect", "secretary", "president", "chairman", "king", "queen", "coroner", "magistrate", "mayor",
           "governor", "vicar", "rector", "curate", "bishop", "squire", *(r.casefold() for r in RANKS))
"""Offices a story gives one holder, who may speak as "the prefect" in lower case."""
ROLE_NAME = rf"[Tt]he\s+(?:{NAME_WORD}(?:\s+{NAME_WORD})?|(?:{'|'.join(OFFICES)})\b)"
"""A role used as a name: "the Hatter", "the Mock Turtle", "the colonel"."""
SPEAKER = rf"(?:{ROLE_NAME}|{PROPER_NAME})"
TAG_AFTER_QUOTE = re.compile(rf"^[\s,.!?;:—-]*(?:(?P<pre>{SPEAKER})\s+(?:\w+ly\s+)?(?:{VERB_PATTERN})\b"
                             rf"|(?:{VERB_PATTERN})\s+(?P<post>{SPEAKER})\b)")
FIRST_PRONOUN = re.compile(r"\b(?:(he|his|him|himself)|she|her|hers|herself)\b", re.I)
KIN_NAMES = frozenset("Mother Father Mamma Mama Papa Grandmother Grandfather Granny Grandpa Grandma".split())
"""Family words a tag may use as a name ("said Mother"), though the text also writes them in lower case."""
TITLE_WORDS = frozenset(t.casefold() for t in TITLES)
FEMALE_ROLES = frozenset("queen princess duchess countess baroness marchioness mother grandmother granny grandma "
                         "mamma mama aunt".split())
MALE_ROLES = frozenset("king prince duke count baron marquis marquess earl father grandfather grandpa papa uncle "
                       "squire vicar rector curate bishop".split())
OTHER_CHARACTER = re.compile(r"\b(?:original|reader|you|other|ensemble|minor|mentioned|various)\b", re.I)
"""AO3 Character tags that name nobody in particular ("Original Female Character(s)", "Reader")."""
MIN_VARIANT = 6
"""Names at least this long may be spelt one letter differently and still be the same person."""


def discover(text_windows: list[str], index: NameIndex) -> Counter[str]:
    """Proper names and role names standing next to a speech verb just after quotes, that nobody owns yet.

    Spellings of one name that differ only in the periods of a title ("Mrs Hale", "Mrs. Hale") are counted
    together under the commonest.
    """
    found: Counter[str] = Counter()
    for window in text_windows:
        m = TAG_AFTER_QUOTE.match(window)
        name = _clean(m.group("pre") or m.group("post")) if m else None
        if name and normalise(name) not in index.owners:
            found[name] += 1
    merged: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for name, n in found.most_common():
        merged[spelling.setdefault(normalise(name), name)] += n
    return merged


def _clean(found: str) -> str | None:
    """The name in a tag's subject: leading sentence words dropped ("Then Giles"), a title kept ("Miss Bates")."""
    words = found.split()
    if words[0].casefold() == "the":
        rest = words[1:]
        if any(w in NOT_NAMES or w.casefold() in NOT_ROLES for w in rest) and not (len(rest) == 1 and rest[0].casefold() in OFFICES):
            return None
        return " ".join(["The", *(w[:1].upper() + w[1:] for w in rest)])
    while words and words[0] in NOT_NAMES and words[0] not in KIN_NAMES and not (
            len(words) > 1 and words[0].rstrip(".") in TITLES):
        words.pop(0)
    if not words or (words[-1] in NOT_NAMES and words[-1] not in KIN_NAMES) or words[-1].endswith("."):
        return None
    return " ".join(words)


def partial_owners(name: str, people: tuple[Person, ...]) -> list[str]:
    """The people whose aliases contain *name* as whole words, e.g. "Maclay" -> Tara.

    Several owners make the name an ambiguous alias, settled by context when it is used. A discovered
    (uncast) person owns only untitled parts of its names: "Miss Bates" and "Mrs. Bates" are two people.
    "The Colonel" is everyone whose name the rank opens.
    """
    words = name.split()
    if len(words) == 2 and words[0] == "The" and words[1].casefold() in OFFICES:
        rank = words[1].casefold()
        if holders := [p.name for p in people if any(_rank_of(a) == rank for a in (p.name, *p.aliases))]:
            return holders
    title = words[0].rstrip(".") if len(words) > 1 and words[0].rstrip(".") in TITLES else None
    key = normalise(" ".join(words[1:] if title or words[0] == "The" else words))
    gender = Gender.FEMALE if title and title.casefold() in FEMALE_TITLES else \
        Gender.MALE if title and title.casefold() in MALE_TITLES else None
    return [p.name for p in people if (gender is None or p.gender in (gender, Gender.UNKNOWN))
            and (p.in_cast or not title)
            and (any(re.search(rf"\b{re.escape(key)}\b", normalise(alias)) for alias in (p.name, *p.aliases))
                 or _nickname_and_surname(key, p))]


def _rank_of(alias: str) -> str | None:
    """The rank opening a name ("Colonel Ducroix", "Dr. Kemp" -> "doctor"), if any."""
    words = alias.replace(".", " ").split()
    if len(words) < 2:
        return None
    rank = {"dr": "doctor", "col": "colonel", "capt": "captain", "prof": "professor"}.get(words[0].casefold(),
                                                                                      words[0].casefold())
    return rank if rank in OFFICES else None


def _nickname_and_surname(key: str, person: Person) -> bool:
    """ "Jim Vane" for a James Vane whom the cast also calls Jim: one alias, then the surname of another."""
    words = key.split()
    keys = [normalise(a).split() for a in (person.name, *person.aliases)]
    return len(words) == 2 and [words[0]] in keys and any(len(k) > 1 and k[-1] == words[1] for k in keys)


def variant_owners(name: str, people: tuple[Person, ...]) -> list[str]:
    """The people who own an alias spelt like *name* but for one letter or accents ("Katherine" -> Katharine)."""
    words = _plain(name).split()
    return [p.name for p in people
            if any(_same_words(words, _plain(alias).split()) for alias in (p.name, *p.aliases))]


def _plain(name: str) -> str:
    """The name without accents, case or periods: "Léonce" -> "leonce"."""
    return normalise("".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)))


def _same_words(a: list[str], b: list[str]) -> bool:
    """Word for word equal, or one letter apart where both words are long enough to be a misspelling."""
    return len(a) == len(b) and all(
        x == y or min(len(x), len(y)) >= MIN_VARIANT and _one_edit(x, y) for x, y in zip(a, b))


def _one_edit(a: str, b: str) -> bool:
    """True when one letter changed, added or dropped turns *a* into *b*."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[i + 1:] == b[i + 1:] or a[i:] == b[i + 1:] or a[i + 1:] == b[i:]


def join_discovered(found: Counter[str], people: list[Person], text: str) -> tuple[list[Person], dict[str, list[str]]]:
    """*people* plus a new uncast person for each found name nobody owns, and the aliases found for others.

    Fuller names come first, so that "Darcy" joins a discovered "Fitzwilliam Darcy", and role names last, so that
    "the Colonel" joins a discovered "Colonel Ducroix". A one-word name the
    text also writes in lower case ("Thus") is no name, unless it is a family word ("said Mother").
    """
    people = list(people)
    extra: dict[str, list[str]] = {}
    for name in sorted(found, key=lambda n: (n.startswith("The "), -len(n.split()), -found[n])):
        if " " not in name and name not in KIN_NAMES and re.search(rf"\b{re.escape(name.lower())}\b", text):
            continue
        owners = partial_owners(name, tuple(people)) or variant_owners(name, tuple(people))
        for owner in owners:
            extra.setdefault(owner, []).append(name)
        if not owners:
            people.append(Person(name, guess_gender(name, text), False, ()))
    return people, extra


def seed_people(characters: tuple[str, ...], people: list[Person], text: str) -> list[Person]:
    """Uncast people for an archive's Character tags that the cast does not name, each with its first name and
    surname as aliases: "Hermione Granger (Harry Potter)" -> Hermione Granger, "Hermione", "Granger"."""
    known = {normalise(a) for p in people for a in (p.name, *p.aliases)}
    seeded: list[Person] = []
    for tag in characters:
        name = " ".join(re.sub(r"\([^)]*\)", " ", tag).split())
        if not name or normalise(name) in known or OTHER_CHARACTER.search(name) or "/" in name or "&" in name:
            continue
        known.add(normalise(name))
        words = [w for w in name.split() if w.rstrip(".") not in TITLES]
        parts = tuple(dict.fromkeys(w for w in (words[0], words[-1]) if len(words) > 1 and w[:1].isupper()))
        seeded.append(Person(name, guess_gender(name, text), False, parts))
    return seeded


def guess_gender(name: str, text: str) -> Gender:
    """Gender from an honorific or a gendered role, else from the pronouns that follow the name's mentions."""
    words = name.split()
    title = words[0].rstrip(".").casefold()
    role = words[-1].casefold()
    if title in FEMALE_TITLES or title in FEMALE_ROLES or role in FEMALE_ROLES:
        return Gender.FEMALE
    if title in MALE_TITLES or title in MALE_ROLES or role in MALE_ROLES:
        return Gender.MALE
    male = female = 0
    flags = re.I if title == "the" else 0
    for i, m in enumerate(re.finditer(rf"\b{re.escape(name)}\b", text, flags)):
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
