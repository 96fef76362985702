"""The conventions of the text through analyse_book: thoughts, first person, scare quotes, messages, letters, tales."""

from __future__ import annotations

import re

from fullcast.model import Book, Chapter, Gender, Paragraph, SegmentKind
from fullcast.script.analyse import analyse_book
from fullcast.settings.config import Character, Config, Credits, Monologue, Narrator

F, M = Gender.FEMALE, Gender.MALE
NO_CREDITS = Credits(opening=False, closing=False)


def script(text: str, cast: tuple[Character, ...], **settings) -> list[tuple[str, str, str, str]]:
    """(kind, speaker, text, rule) of every body segment of a one-chapter book made of *text*'s blocks."""
    blocks = tuple(Paragraph(m.start(), m.end()) for m in re.finditer(r"\S(?:.*\S)?(?:\n.*\S)*", text))
    book = Book("Test", None, None, (), None, (Chapter(1, "One", "one.md", text, None, blocks),))
    segments = analyse_book(book, Config(characters=cast, credits=NO_CREDITS, **settings)).segments
    return [(s.kind.value, s.speaker, s.text, s.rule) for s in segments if s.kind is not SegmentKind.HEADING]


def test_tagged_italic_thoughts_in_a_third_person_book_among_many_first_person_italics() -> None:
    text = ("Jonah knelt at the door of the boathouse and turned the pick in the old lock.\n\n"
            "*I can do this. I have done it a hundred times before.*\n\n"
            "*Fine,* Jonah thought. *I'll break the window instead, I suppose.*\n\n"
            "Nell came down the jetty with a lantern swinging from her hand.\n\n"
            "*I'm late*, she thought. *He will never let me forget it.*")
    cast = (Character("Jonah", (), M), Character("Nell", (), F))
    got = [(k, who, said) for k, who, said, _ in script(text, cast, monologue=Monologue(speaker="Jonah"))
           if k == "monologue"]
    assert got == [("monologue", "Jonah", "I can do this. I have done it a hundred times before."),
                   ("monologue", "Jonah", "Fine,"), ("monologue", "Jonah", "I'll break the window instead, I suppose."),
                   ("monologue", "Nell", "I'm late"), ("monologue", "Nell", "He will never let me forget it.")]


def test_a_book_told_by_a_named_narrator_has_no_false_monologue_and_its_italics_are_the_narrator_s() -> None:
    text = ("Looking back over my notes from that winter, I find the case began with a teacup.\n\n"
            "Inspector Crane took off his gloves and looked at the cup. Crane was never in a hurry.\n\n"
            "*He has seen something*, I thought.")
    cast = (Character("Ruth", (), F), Character("Inspector Crane", ("Crane",), M))
    got = script(text, cast, narrator=Narrator(character="Ruth"))
    assert [(k, who) for k, who, _, _ in got] == [("narration", "narrator"), ("narration", "narrator"),
                                                  ("monologue", "Ruth"), ("narration", "narrator")]


def test_scare_quotes_are_narrated_and_the_rule_says_why() -> None:
    text = 'Old Pete, "the Little Owl," as they called him, read "Treasure Island" again.\n\n"Hello," said Pete.'
    got = script(text, (Character("Pete", ("Old Pete",), M),))
    assert got[0] == ("narration", "narrator", "Old Pete, the Little Owl, as they called him, read Treasure Island "
                      "again.", "narration: quoted phrase inside a sentence, no speech verb (a title, name, sound or "
                      "scare quotes)")
    assert got[1][:3] == ("dialogue", "Pete", "Hello,")


def test_message_lines_are_spoken_by_their_sender() -> None:
    text = ("Her phone buzzed. A text from Dev.\n\n> hey, you there?\n\n> outside &amp; wet\n\n"
            "Mira typed back.\n\n&gt; go home\n\nDev: fine\nMira: good")
    cast = (Character("Mira", (), F), Character("Dev", (), M))
    got = [(who, said, rule) for k, who, said, rule in script(text, cast) if k == "dialogue"]
    assert got == [("Dev", "hey, you there?", "chat: message line sent by Dev"),
                   ("Dev", "outside & wet", "chat: message line sent by Dev"),
                   ("Mira", "go home", "chat: message line sent by Mira"),
                   ("Dev", "fine", "chat: message line sent by Dev"),
                   ("Mira", "good", "chat: message line sent by Mira")]


def test_a_letter_read_aloud_and_a_note_read_by_the_narrator() -> None:
    text = ('Ada unfolded the letter and read it aloud:\n\n"Dear Ada, the roof is mended. Your brother, Sam."\n\n'
            '"Good," said Finn.\n\nFinn found a note on the door. It ran:\n\nGone to the fair.')
    cast = (Character("Ada", (), F), Character("Finn", (), M), Character("Sam", (), M))
    got = script(text, cast)
    assert got[1] == ("dialogue", "Ada", "Dear Ada, the roof is mended. Your brother, Sam.",
                      "document: letter read aloud by Ada")
    assert got[-1] == ("narration", "narrator", "Gone to the fair.",
                       "document: note quoted in full, read by the narrator")


def test_a_story_within_a_story_in_a_first_person_book() -> None:
    text = ('I gave our visitor the chair by the fire.\n\n"I was walking home," said Amos Lyle. "It was late.\n\n'
            '"There stood Mrs. Dunn. \'Did you see it?\' said she. \'See what?\' said I.\n\n'
            '"That is all I know."\n\n"We will take it," Hal said.')
    cast = (Character("Kit", (), F), Character("Hal", (), M), Character("Amos Lyle", (), M),
            Character("Mrs. Dunn", (), F))
    got = [(who, said) for k, who, said, _ in script(text, cast, narrator=Narrator(character="Kit"))
           if k == "dialogue"]
    assert got == [("Amos Lyle", "I was walking home,"), ("Amos Lyle", "It was late."),
                   ("Amos Lyle", "There stood Mrs. Dunn."), ("Mrs. Dunn", "Did you see it?"),
                   ("Amos Lyle", "said she."),
                   ("Amos Lyle", "See what?"), ("Amos Lyle", "said I."), ("Amos Lyle", "That is all I know."),
                   ("Hal", "We will take it,")]
