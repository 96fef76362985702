"""Who the text is talking about: cast names, aliases, pronouns, and speakers discovered in speech tags.

A `NameIndex` finds every mention of a known person in a stretch of text with one regular expression (proper
names case-sensitively, descriptions like "the redhead" case-insensitively). An alias shared by several people
stays ambiguous: the mention lists every candidate and attribution decides from context, or names no one.
Cold start: proper names standing next to a speech verb but missing from the cast become new, uncast people,
their gender guessed from honorifics and nearby pronouns.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ...model import NARRATOR, Gender

TITLES = ("Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Lady", "Lord", "Sir", "Madam", "Madame", "Mme", "Mlle",
          "Colonel", "Col", "Captain", "Capt", "Major", "General", "Professor", "Prof", "Aunt", "Uncle",
          "Father", "Mother", "Sister", "Brother", "Mademoiselle", "Monsieur", "Count", "Countess", "Baron")
TITLE_KEYS = frozenset(t.casefold() for t in TITLES)
HONORIFICS = frozenset("mr mrs miss ms mx lady lord sir madam madame mme mlle mademoiselle monsieur".split())
"""Titles that alone may only address someone politely ("Yes, Sir."): such a vocative names no one."""
POLITE_TITLES = {"mr": Gender.MALE, "miss": Gender.FEMALE}
"""Titles that anyone of the gender with the surname may be addressed by."""
RANKS = ("Colonel", "Captain", "Major", "General", "Professor", "Count", "Countess", "Baron", "Baroness", "Duke",
         "Duchess", "Prince", "Princess", "Marquis", "Marquess", "Marchioness", "Earl", "Admiral", "Inspector", "Doctor",
         "Sergeant", "Lieutenant", "Judge")
"""Titles a story uses alone for the one person who holds them ("the Colonel", "the Duchess")."""
RANK_SPELLINGS = {"Dr": "Doctor", "Col": "Colonel", "Capt": "Captain", "Prof": "Professor"}
"""Abbreviated ranks, as the story spells them alone ("Dr. Kemp" is "the Doctor")."""
FEMALE_TITLES = {"mrs", "miss", "ms", "lady", "madam", "madame", "mme", "mlle", "aunt", "mother", "sister",
                 "mademoiselle", "countess"}
MALE_TITLES = {"mr", "lord", "sir", "colonel", "col", "captain", "capt", "major", "general", "uncle", "father",
               "brother", "monsieur", "count", "baron"}
PRONOUNS = {"he": Gender.MALE, "him": Gender.MALE, "she": Gender.FEMALE, "her": Gender.FEMALE, "i": None}
SPEECH_VERBS = (
    "said say says saying replied replies answered answers asked asks cried cries exclaimed shouted whispered "
    "whispers murmured murmurs muttered mutters growled hissed sneered returned continued continues added adds began "
    "begins repeated protested interrupted remarked observed rejoined retorted responded called yelled screamed "
    "sighed laughed groaned snapped demanded inquired enquired suggested insisted declared admitted agreed explained "
    "whimpered pleaded begged commanded ordered stammered faltered gasped sobbed snarled spoke told urged persisted "
    "resumed concluded conceded mused echoed warned assured promised announced pursued ventured breathed grumbled "
    "chuckled giggled roared bellowed barked shrieked wailed moaned complained cautioned corrected whined drawled "
    "thundered objected went put broke cut struck chimed proceeded exclaims shouts calls finished acknowledged teased "
    "joked boomed purred squeaked squealed croaked lamented reflected screeched stuttered mumbled blurted gushed "
    "offered prompted quoted recalled related reminded reported sang shot stormed supposed thought wondered whistled "
    "yawned exploded interposed ejaculated hazarded panted assented queried drivelled shouting crying asking adding "
    "replying answering exclaiming whispering murmuring calling wheezed grunted volunteered argued counselled "
    "consented apologized apologised rejoins returns suggests observes remarks groans sighs laughs smiles insinuated "
    "soothed stated entreated implored interjected intervened quavered piped lisped snorted sniffed scoffed jeered "
    "taunted twittered reasoned pronounced commented confessed cooed demurred expostulated inquires enquires asserted "
    "supplied flashed subjoined questioned uttered reiterated confided speculated proclaimed bawled corroborated "
    "reassured enunciated opined interpreted conjectured spluttered howled vociferated asseverated prattled fumed "
    "chanted greeted accosted advised informed remarking addressed repeating muttering continuing announcing "
    "mourned acquiesced remonstrated proposed rambled crooned warbled burst jerked threw rapped flung"
).split()
SPEECH_VERB_SET = frozenset(SPEECH_VERBS)
NOT_NAMES = frozenset(
    "The A An And But Or So Then Now Yes No Oh Ah Well He She It They We You I His Her Their Our My Your This That "
    "These Those There Here What Why How When Where Who Which Whose If As At In On Of For With By From To Not Nor "
    "Do Does Did Is Was Are Were Be Been Let Come Go Look See Say Said Tell Please Thank Thanks Good Dear Sir Madam "
    "Mr Mrs Miss Ms Dr Lady Lord God Heaven Indeed Certainly Perhaps Still Yet Only Even Just Very Quite Aye Nay "
    "After Before Again Once Some Any All Every Each Both Neither Either One Two Three Hush Hullo Hello Hi Hey Why "
    "Mamma Mama Papa Mother Father Aunt Uncle Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas "
    "English French German London Paris Chapter Upon Into Whilst While Though Although Because Since Until Unless "
    "Presently Suddenly Afterwards Meanwhile Besides Instead Otherwise Nothing Something Everything Everybody "
    "Somebody Nobody Anybody Everyone Someone Noone Anyone Her Him Whom Thus Poor Young Old Little".split()
)
NAME_TOKEN = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
VERB_PATTERN = "|".join(sorted(SPEECH_VERB_SET, key=len, reverse=True))
OTHER_TITLE = re.compile(r"\b(Mrs|Miss|Mr|Lady|Lord|Sir|Madame|Monsieur)\.?\s+\Z")
"""A gendered title right before a name the index matched without it."""
SENTENCE_OPENING = re.compile(r"(?:[.!?;:\"“‘'—]\s*|^\s*|\n\s*)\Z")
"""What stands before a word opening a sentence."""
AUXILIARY_QUESTION = re.compile(r"\s+(?:I|you|we|he|she|it|they|not)\b")
"""A subject pronoun right after a sentence's first word: that word is a verb ("May I", "Will you")."""
NEXT_NAME = re.compile(r" ([A-Z][a-z]+)\b")
"""A capitalised word right after a name, on the same line."""
POSSESSIVE = re.compile(r"['’]s\b| s\b(?=\s+[a-z])")
"""`Tara's`, and `Henry s` in texts that lost their apostrophes."""
ROMAN_ONE = re.compile(r"\b[A-Z]{2,}\.?\s+I\b|^\s*I\.", re.M)
"""`CHAPTER I`, `VOL. I.` or a line `I.`: a Roman numeral, not the narrator."""
PRONOUN_RE = re.compile(r"\b(?:he|she|him|her|I)\b", re.I)
KIN_ROLES = {**dict.fromkeys("father husband brother uncle son nephew grandfather".split(), Gender.MALE),
             **dict.fromkeys("mother wife sister aunt daughter niece grandmother".split(), Gender.FEMALE)}
"""Family roles a tag may name instead of a person, with the gender they imply."""
ADJECTIVES = r"(?:(?!(?:same|first|last|next|only)\b)[a-z]+\s+){0,2}?"
"""Up to two lower-case words before a noun ("the thin old lady"), but none pointing back ("the same man")."""
DESCRIPTION_RE = re.compile(r"\b(?:[Tt]he|[Tt]his|[Tt]hat)\s+" + ADJECTIVES + r"(lady|woman|girl|gentleman|man|boy)\b")
"""A tag naming someone by description only ("said the thin gentleman", "said this lady"), when no alias claims it."""
VOICE_RE = re.compile(r"(?<!\bin )(?<!\bwith )(?<!\bof )(?<!\bthat )\b(?:[Aa]|[Tt]he)\s+(?:[a-z-]+,?\s+){0,3}?voice\b(?!['’]s)")
"""`said a voice`, `a grave voice replied`: someone not yet seen, whom the narration may name next."""
OTHER_RE = re.compile(r"\b[Tt]he\s+other\b(?!['’]s)(?![ \t\n]+(?!(?:" + VERB_PATTERN + r"|\w+ly|\w+ed|with|in|at|to|as|"
                      r"and|but|for|from|after|before|who|whose|on|upon|by|again|once|then|still|now|too|also|was|"
                      r"were|had|did|could|would|should|might|must|will|shall|is|has)\b)[a-z])")
"""`said the other`: of two people in an exchange, the one who did not just speak; no noun follows ("the other day")."""
COMPANION_RE = re.compile(r"\b([Hh]is|[Hh]er)\s+(?:(?:young|old|new)\s+)?(?:companion|friend|guide|"
                          r"interlocutor)\b(?!['’]s\b| s\b)(?!,?\s+(?:[A-Z]|the\b))")
"""`said his companion`: someone with the possessor, not the possessor; not before a name ("her friend Isabella")."""
KINDS = {**dict.fromkeys("lady woman girl lass".split(), Gender.FEMALE),
         **dict.fromkeys("gentleman man boy lad youth fellow guy".split(), Gender.MALE), "child": Gender.UNKNOWN}
"""Nouns for anyone of a kind, with the gender they imply."""
GENERIC_RE = re.compile(r"the\s+(?:(?:young|old|elder|younger|little|other|poor)\s+)?(" + "|".join(KINDS) + ")")
"""A normalised description that fits anyone of a kind ("the girl"), unlike "the redhead"."""
AGED_RE = re.compile(r"\b(?:old|elderly|aged|grand\w*|granny)\b", re.I)
"""Words marking someone old, in an alias or a description ("the old lady")."""
MAIDEN_RE = re.compile(r"\b(?:girl|lass|young\s+(?:lady|woman))\b", re.I)
"""Descriptions that fit an unmarried woman, not a Mrs."""
KIN_RE = re.compile(r"\b([Hh]is|[Hh]er)\s+(?:[a-z]+\s+){0,2}?(" + "|".join(KIN_ROLES) + r")\b")


@dataclass(frozen=True)
class Person:
    """Someone who may speak: a cast entry or a name discovered in the text."""

    name: str
    """Cast name, or the name as found."""
    gender: Gender
    """From the cast, or guessed."""
    in_cast: bool
    """True for voices.yaml entries."""
    aliases: tuple[str, ...] = ()
    """Every way the text may name them, the name included."""


@dataclass(frozen=True)
class Mention:
    """A reference to a person in the text: a name, an alias or a pronoun."""

    start: int
    """Offset in the chapter text."""
    end: int
    """Offset just past it."""
    names: tuple[str, ...]
    """Candidate people; empty for a pronoun or an alias nobody owns alone."""
    pronoun: str | None = None
    """`he`, `she` or `i` for a pronoun mention."""
    possessive: bool = False
    """True for `Tara's`, `his`, `her` used as a determiner."""
    role: str | None = None
    """`brother` for "her brother" (`pronoun` then his/her); `person` for "the old lady" (`pronoun` he/she);
    `other` for "the other"; `companion` for "his companion" (`pronoun` his/her, the possessor's)."""
    generic: bool = False
    """Matched by a description alias that fits anyone of a kind ("the girl"), so may mean someone else."""


@dataclass(frozen=True)
class NameIndex:
    """Every person and the compiled expression that finds their names."""

    people: tuple[Person, ...]
    """Cast first, then discovered people."""
    owners: dict[str, tuple[str, ...]]
    """Normalised alias -> names of the people it may mean."""
    pattern: re.Pattern[str] = field(repr=False)
    """Alternation of every alias, longest first."""
    generic: frozenset[str] = frozenset()
    """The normalised aliases that only say what kind of person someone is ("the girl")."""
    aged: frozenset[str] = frozenset()
    """People the cast calls old ("Old Mr. Emerson", "Granny"): whom "the old man" likely means."""
    married: frozenset[str] = frozenset()
    """Women the cast calls Mrs.: no one's "the girl"."""
    polite: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Title-and-surname alias -> everyone it may address: "Mr. Emerson" to his son too, who has no title."""
    derived: frozenset[str] = frozenset()
    """The normalised aliases made from the cast's ("Banner" of "Banner Club Proprietor"), not written in it."""
    words: frozenset[str] = frozenset()
    """One-word aliases the story also uses as ordinary words ("May", "Small"): at a sentence start, not names."""
    given: frozenset[str] = frozenset()
    """First names: the untitled first word of someone's longer alias ("may" of "May Wellend")."""

    def gender(self, name: str) -> Gender:
        """The gender of *name*, unknown for strangers."""
        return next((p.gender for p in self.people if p.name == name), Gender.UNKNOWN)

    def kind_gender(self, alias: str) -> Gender:
        """The gender a generic alias implies ("the lad": male), unknown for any other alias."""
        m = GENERIC_RE.fullmatch(normalise(alias))
        return KINDS[m.group(1)] if m else Gender.UNKNOWN

    def _key(self, alias: str) -> str:
        """The owners' key of a matched alias: "the little doctor" is the rank alias "the doctor"."""
        words = (key := normalise(alias)).split()
        return key if key in self.owners or len(words) < 3 else f"{words[0]} {words[-1]}"

    def _someone_else(self, text: str, lo: int, hi: int, key: str) -> bool:
        """True when the alias matched at `text[lo:hi]` is not this person after all:

        - a made-up short form inside a longer name the cast does not know ("Banner" of the cast's
          "Banner Club Proprietor", in "the Banner Club");
        - a one-word name the story also uses as an ordinary word, opening a question ("May I come in?");
        - a name right after a title of the other gender ("Thorley" in "Mrs. Thorley Rushworth").
        """
        if key in self.derived and " " not in key and POSSESSIVE.match(text, hi) is None and \
                (after := NEXT_NAME.match(text, hi)) and normalise(after.group(1)) not in self.owners and \
                after.group(1) not in NOT_NAMES:
            return True
        if key in self.words and SENTENCE_OPENING.search(text, max(0, lo - 4), lo) and AUXILIARY_QUESTION.match(text, hi):
            return True
        owners = self.owners.get(key, ())
        if len(owners) == 1 and (title := OTHER_TITLE.search(text, max(0, lo - 8), lo)):
            gender = Gender.FEMALE if title.group(1).casefold() in FEMALE_TITLES else Gender.MALE
            return self.gender(owners[0]) not in (gender, Gender.UNKNOWN)
        return False

    def _full_names(self, found: list[Mention], text: str) -> list[Mention]:
        """Join a first name and the surname right after it into one mention of the first name's owner:
        "May Welland" is May, not the Mrs. Welland whom the cast alone calls "Welland"."""
        joined: list[Mention] = []
        for x in found:
            last = joined[-1] if joined else None
            if last and last.names and x.names and not last.possessive and text[last.end:x.start] == " " \
                    and " " not in normalise(text[x.start:x.end]):
                names = tuple(n for n in last.names if n in x.names)
                if names or normalise(text[last.start:last.end]) in self.given:
                    joined[-1] = replace(last, end=x.end, names=names or last.names, possessive=x.possessive,
                                         generic=False)
                    continue
            joined.append(x)
        return joined

    def mentions(self, text: str, start: int, end: int, pronouns: bool = True) -> list[Mention]:
        """Names, aliases and (optionally) personal pronouns in `text[start:end]`, in order."""
        found = [Mention(m.start(), m.end(), self.owners.get(key, ()), None, POSSESSIVE.match(text, m.end()) is not None,
                         None, key in self.generic)
                 for m in self.pattern.finditer(text, start, end) if self.owners
                 and not self._someone_else(text, m.start(), m.end(), key := self._key(m.group()))]
        found = self._full_names(found, text)
        if pronouns:
            for m in PRONOUN_RE.finditer(text, start, end):
                word = m.group()
                if word == "i" or word == "I" and ROMAN_ONE.search(text, max(0, m.start() - 12), m.end() + 1):
                    continue
                found.append(Mention(m.start(), m.end(), (), word.lower(), word.lower() == "her"))
            kin = {m.start(): m for m in KIN_RE.finditer(text, start, end)}
            found = [Mention(x.start, kin[x.start].end(), (), kin[x.start].group(1).lower(), False,
                             kin[x.start].group(2)) if x.start in kin else x for x in found]
            found += [Mention(m.start(), m.end(), (), m.group(1).lower(), False, m.group(2))
                      for k, m in kin.items() if m.group(1).lower() == "his"]
            taken = [(x.start, x.end) for x in found if x.names]
            found += [Mention(m.start(), m.end(), (), "she" if m.group(1) in ("lady", "woman", "girl") else "he",
                              False, "person") for m in DESCRIPTION_RE.finditer(text, start, end)
                      if not any(a < m.end() and m.start() < b for a, b in taken)]
            found += [Mention(m.start(), m.end(), (), None, False, "other") for m in OTHER_RE.finditer(text, start, end)
                      if not any(a < m.end() and m.start() < b for a, b in taken)]
            found += [Mention(m.start(), m.end(), (), None, False, "voice") for m in VOICE_RE.finditer(text, start, end)
                      if not any(a < m.end() and m.start() < b for a, b in taken)]
            companions = {m.start(): m for m in COMPANION_RE.finditer(text, start, end)}
            found = [x for x in found if x.start not in companions]  # "his" of "his companion" is not a mention
            found += [Mention(m.start(), m.end(), (), m.group(1).lower(), False, "companion")
                      for m in companions.values()]
            found.sort(key=lambda x: x.start)
        return found


def normalise(alias: str) -> str:
    """The lookup key of an alias: case, periods and spacing ignored."""
    return " ".join(alias.replace(".", " ").replace("’", "'").casefold().split())


def build_index(people: list[Person]) -> NameIndex:
    """Compile the name index for *people*, each alias mapped to everyone who owns it."""
    owners: dict[str, list[str]] = {}
    spellings: dict[str, str] = {}
    for derived in (False, True):
        given = set(owners)
        for person in people:
            names = dict.fromkeys((person.name, *person.aliases))
            for alias in (_short_forms(names) if derived else names):
                key = normalise(alias)
                if not key or key in ("i", "he", "she") or (derived and key in given):
                    continue
                if person.name not in owners.setdefault(key, []):
                    owners[key].append(person.name)
                spellings.setdefault(key, alias)
    parts = [_alias_pattern(spellings[k]) for k in sorted(owners, key=len, reverse=True)]
    pattern = re.compile(r"(?<![\w’'])(?:" + "|".join(parts) + r")(?![\w])") if parts else re.compile(r"(?!x)x")
    generic = frozenset(k for k in owners if GENERIC_RE.fullmatch(k))
    aged = frozenset(p.name for p in people if any(AGED_RE.search(a) for a in (p.name, *p.aliases)))
    # a woman the cast calls Mrs.: her surname is her husband's
    married = frozenset(p.name for p in people if any(normalise(a).startswith("mrs ") for a in (p.name, *p.aliases)))
    derived_keys = frozenset(set(owners) - given)
    first_names = frozenset(words[0] for p in people for a in (p.name, *p.aliases)
                            if len(words := normalise(a).split()) > 1 and words[0] not in TITLE_KEYS | set(ARTICLES))
    return NameIndex(tuple(people), {k: tuple(v) for k, v in owners.items()}, pattern, generic, aged, married,
                     _polite_forms(people, owners), derived_keys, given=first_names)


def _polite_forms(people: list[Person], owners: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """"Mr. Emerson" when a George Emerson has no title of his own in the cast: to his face he is Mr. Emerson too."""
    untitled: dict[tuple[str, Gender], set[str]] = {}
    for person in people:
        keys = [normalise(a).split() for a in (person.name, *person.aliases)]
        if any(k and k[0] in POLITE_TITLES for k in keys):
            continue
        for k in keys:
            if len(k) > 1:
                untitled.setdefault((k[-1], person.gender), set()).add(person.name)
    polite = {}
    for key, names in owners.items():
        words = key.split()
        if len(words) == 2 and words[0] in POLITE_TITLES:
            if others := untitled.get((words[1], POLITE_TITLES[words[0]]), set()) - set(names):
                polite[key] = (*names, *sorted(others))
    return polite


def _short_forms(names: dict[str, None]) -> list[str]:
    """Shorter ways the text may name someone: "Mr. Sillerton Jackson" -> "Mr. Jackson", "Jackson", "Sillerton"."""
    forms: list[str] = []
    for name in names:
        words = name.split()
        title = words[0] if words and words[0].rstrip(".") in TITLES else None
        rank = RANK_SPELLINGS.get(words[0].rstrip("."), words[0].rstrip(".")) if words else ""
        if rank in RANKS and len(words) > 1:
            forms += [f"the {rank}", rank]  # "Colonel Ducroix" is "the Colonel" in tags, and "Colonel" to his face
        core = [w for w in words[1 if title else 0:] if re.fullmatch(NAME_TOKEN, w) and w not in NOT_NAMES]
        if len(core) < 2 or len(core) != len(words) - (1 if title else 0):
            continue
        if title and title.rstrip(".") == "Mrs":  # "Mrs. John Dashwood": John is her husband
            forms += [core[-1], f"{title} {core[-1]}"]
            continue
        if core[0].casefold() in PARTICLES:  # "Professor De Worms" is not "De"
            forms += [core[-1]] + ([f"{title} {core[-1]}"] if title else [])
            continue
        forms += [core[-1], core[0]] + ([f"{title} {core[-1]}", f"{title} {core[0]}"] if title else [])
    return forms


def _alias_pattern(alias: str) -> str:
    """A regex for one alias: flexible spacing, optional title periods.

    A description ("the redhead", "The Lady in red", "One Of The Men") matches in any case, since the text
    capitalises it only at the start of a sentence; a name matches as written, except for particles such as "van der"
    whose case varies. A rank alone ("the Duchess") may take adjectives ("the little Doctor"), and does not match the
    start of a fuller name ("the Duchess of Harley"), which then matches.
    """
    words = alias.replace(".", ". ").split()
    body = r"\.?\s+".join(f"(?i:{re.escape(w)})" if w.casefold() in PARTICLES and i else re.escape(w.rstrip("."))
                           for i, w in enumerate(words))
    fuller_name = r"(?!\s+(?:[Oo]f\s+)?[A-Z])"
    if len(words) == 2 and words[0].casefold() in ARTICLES and words[1] in RANKS:
        return rf"(?i:{re.escape(words[0])})\s+{ADJECTIVES}(?i:{re.escape(words[1])}){fuller_name}"
    if alias in RANKS:  # "Duchess," said to her face, as written
        return body + fuller_name
    if alias[:1].islower() or (len(words) > 1 and words[0].casefold() in DETERMINERS) or \
            any(w.casefold() in LINKS for w in words[1:]):
        return f"(?i:{body})"
    return body


ARTICLES = ("the", "a", "an")
DETERMINERS = (*ARTICLES, "his", "her", "their", "one", "that", "this")
"""Words that open a description ("His Valet", "One Wondering Labourer"), not a name."""
LINKS = ("of", "the", "who", "which", "that", "at", "in", "with", "from", "on", "had", "been", "was", "is")
"""Words that make a title-cased alias a description ("One Of The Women Who Had Been Drinking At The Bar")."""
PARTICLES = ("van", "der", "von", "de", "du", "la", "le", "di", "da", "del", "den", "ten", "of")


ORDINARY_USES = 5
"""Times a one-word alias must appear in lower case for the story to use it as an ordinary word."""


def with_ordinary_words(index: NameIndex, text: str) -> NameIndex:
    """*index* knowing which of its one-word aliases the story also uses in lower case, often ("may", "small")."""
    single = {k for k in index.owners if " " not in k and k.isalpha()}
    counts = Counter(w for w in re.findall(r"\b[a-z]+\b", text) if w in single)
    return replace(index, words=frozenset(k for k in single if counts[k] >= ORDINARY_USES))


def with_person(index: NameIndex, name: str | None) -> NameIndex:
    """*index* knowing *name* too (a narrator found only as others call them), its ordinary words kept.

    Unchanged when *name* is None, the narrator's voice, or someone the index already knows.
    """
    if not name or name == NARRATOR or normalise(name) in index.owners:
        return index
    title = name.split()[0].rstrip(".").casefold()
    gender = Gender.FEMALE if title in FEMALE_TITLES else Gender.MALE if title in MALE_TITLES else Gender.UNKNOWN
    return replace(build_index([*index.people, Person(name, gender, False)]), words=index.words)
