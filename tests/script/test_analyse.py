"""analyse_book: the segment contract (warning, credits, heading, pauses, offsets), lines: fixes, speakers, old-town."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fullcast.errors import ConfigError
from fullcast.model import Book, Chapter, ContentWarning, Gender, Paragraph, SegmentKind
from fullcast.script.analyse import analyse_book
from fullcast.script.quotes import spoken as spoken_text
from fullcast.settings.config import Character, Config, Credits, LineFix, Monologue, WarningSettings

F, M = Gender.FEMALE, Gender.MALE
NO_CREDITS = Credits(opening=False, closing=False)
OLD_TOWN = Path(__file__).resolve().parents[3] / "shared" / "manuscripts" / "old-town.txt"


def chapter(number: int, text: str, title: str = "", heading: bool = False) -> Chapter:
    """A chapter whose paragraphs are the blank-line separated blocks of *text* (the first is the heading if asked)."""
    blocks = [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*\S)?(?:\n.*\S)*", text)]
    head = blocks.pop(0) if heading else None
    paragraphs = []
    scene = False
    for start, end in blocks:
        if text[start:end] == "* * *":
            scene = True
            continue
        paragraphs.append(Paragraph(start, end, scene))
        scene = False
    return Chapter(number, title or (text[head[0]:head[1]] if head else "Story"), f"ch{number}.md", text, head,
                   tuple(paragraphs))


def book(*chapters: Chapter, warning: ContentWarning | None = None) -> Book:
    return Book("The Harbour", "Ann Writer", None, (), warning, chapters)


CAST = (Character("Tara", ("the blonde",), F), Character("Willow", ("the redhead",), F), Character("Rupert", (), M))


def dialogue(script) -> list[tuple[str, str]]:
    return [(s.text, s.speaker) for s in script.segments if s.kind is SegmentKind.DIALOGUE]


def test_segments_of_a_chapter_in_order_with_pauses_and_offsets() -> None:
    text = 'Chapter 1\n\nTara walked in.\n\n"Hello," she said, "again."\n\n* * *\n\nThe end came.'
    ch = chapter(1, text, heading=True)
    warning = ContentWarning("Mild peril.")
    script = analyse_book(book(ch, warning=warning), Config(characters=CAST, credits=NO_CREDITS))
    got = [(s.index, s.kind.value, s.speaker, s.text, s.pause.value) for s in script.segments]
    assert got == [
        (0, "warning", "narrator", "Mild peril.", "start"),
        (1, "heading", "narrator", "Chapter 1", "heading"),
        (2, "narration", "narrator", "Tara walked in.", "heading"),
        (3, "dialogue", "Tara", "Hello,", "paragraph"),
        (4, "narration", "narrator", "she said,", "inline"),
        (5, "dialogue", "Tara", "again.", "inline"),
        (6, "narration", "narrator", "The end came.", "scene"),
    ]
    hello = script.segments[3]
    assert (hello.source, text[hello.start:hello.end]) == ("ch1.md", "Hello,")
    assert script.segments[1].start == 0 and script.segments[1].end == 9
    assert script.segments[0].start is None


def test_opening_and_closing_credits_and_every_chapter_warning() -> None:
    chapters = (chapter(1, '"Hi," said Tara.'), chapter(2, "Rain fell."))
    config = Config(characters=CAST, content_warning=WarningSettings(every_chapter=True))
    script = analyse_book(book(*chapters, warning=ContentWarning("Swearing.")), config)
    first = [(s.kind.value, s.text, s.pause.value, s.start) for s in script.segments if s.chapter == 1][:3]
    assert first == [
        ("warning", "Swearing.", "start", None),
        ("narration", "The Harbour, by Ann Writer. Narrated by the fullcast ensemble, with the voices of Tara.",
         "heading", None),
        ("heading", "Story", "paragraph", None),
    ]
    last = [(s.chapter, s.index, s.text) for s in script.segments if s.chapter == 2]
    assert last == [(2, 0, "Swearing."), (2, 1, "Story"), (2, 2, "Rain fell."),
                    (2, 3, "You have been listening to The Harbour, by Ann Writer."), (2, 4, "The End.")]


def test_narrator_credit_from_voices_yaml() -> None:
    from fullcast.settings.config import BookInfo

    config = Config(book=BookInfo(narrator="Jo Reader"), credits=Credits(opening=True, closing=False))
    script = analyse_book(book(chapter(1, "Rain.")), config)
    assert script.segments[0].text == "The Harbour, by Ann Writer. Narrated by Jo Reader."


def test_interrupted_quote_is_one_speaker_and_turn_taking_alternates() -> None:
    text = ('"Don\'t," Willow said, "do this."\n\n"Why not?" asked Tara.\n\n"Because."\n\n"Because what?"\n\n'
            '"Because I said so."')
    script = analyse_book(book(chapter(1, text)), Config(characters=CAST, credits=NO_CREDITS))
    assert dialogue(script) == [("Don't,", "Willow"), ("do this.", "Willow"), ("Why not?", "Tara"),
                                ("Because.", "Willow"), ("Because what?", "Tara"), ("Because I said so.", "Willow")]
    rules = [s.rule for s in script.segments if s.kind is SegmentKind.DIALOGUE]
    assert rules[0] == 'tag after: "Willow said"'
    assert rules[3].startswith("turn-taking")


def test_a_quote_broken_off_by_a_dash_is_not_carried_into_the_next_paragraph() -> None:
    text = '"Why did you--\n\n"Never mind that," said Tara.\n\n"I only asked," said Rupert.'
    script = analyse_book(book(chapter(1, text)), Config(characters=CAST, credits=NO_CREDITS))
    assert dialogue(script) == [("Why did you —", "Rupert"), ("Never mind that,", "Tara"), ("I only asked,", "Rupert")]


def test_a_paragraph_ending_in_a_tag_that_lost_its_colon_introduces_the_next_quote() -> None:
    text = ('"Tea?" asked Rupert.\n\nTara took the cup. Smiling at Willow, she said, with a shrug \n\n'
            '"Thank you."\n\nThe rain went on.\n\n"It will stop," said Rupert.')
    script = analyse_book(book(chapter(1, text)), Config(characters=CAST, credits=NO_CREDITS))
    assert dialogue(script) == [("Tea?", "Rupert"), ("Thank you.", "Tara"), ("It will stop,", "Rupert")]
    assert [s.rule for s in script.segments if s.kind is SegmentKind.DIALOGUE][1] == \
        'tag in the paragraph before: "Willow, she said, with a shrug"'


def test_lines_fix_overrides_the_speaker_and_reports_unmatched() -> None:
    text = '"Can\'t sleep either?"\n\n"No," said Tara.'
    config = Config(characters=CAST, credits=NO_CREDITS, lines=(
        LineFix("Can't sleep either?", "Willow", 1, "lines[0]"), LineFix("Cant sleep", "Willow", 1, "lines[1]")))
    script = analyse_book(book(chapter(1, text)), config)
    first = next(s for s in script.segments if s.kind is SegmentKind.DIALOGUE)
    assert (first.speaker, first.rule) == ("Willow", "voices.yaml lines[0]")
    assert script.warnings == ('lines[1]: "Cant sleep" matched no line in chapter 1',)


def test_lines_fix_with_unknown_speaker_names_the_key_and_the_closest() -> None:
    config = Config(characters=CAST, lines=(LineFix("Hi", "Wilow", None, "lines[2]"),))
    with pytest.raises(ConfigError) as err:
        analyse_book(book(chapter(1, '"Hi."')), config)
    assert str(err.value) == "voices.yaml: lines[2].speaker: 'Wilow' is not in characters; did you mean Willow?"


def test_speakers_cast_first_then_discovered() -> None:
    text = '"Where is it?" said Xander. He frowned.\n\n"Here," Tara replied.\n\n"Good," said the redhead.'
    script = analyse_book(book(chapter(1, text)), Config(characters=CAST, credits=NO_CREDITS))
    assert [(s.name, s.gender, s.in_cast, s.aliases_matched) for s in script.speakers] == [
        ("Tara", F, True, ("Tara",)), ("Willow", F, True, ("the redhead",)), ("Xander", M, False, ("Xander",))]


def test_cold_start_without_a_cast_discovers_names() -> None:
    text = '"Come in," said Mrs. Hale.\n\n"Thank you," Giles answered. He sat.\n\n"Tea?" she asked.'
    script = analyse_book(book(chapter(1, text)), Config(credits=NO_CREDITS))
    assert dialogue(script) == [("Come in,", "Mrs. Hale"), ("Thank you,", "Giles"), ("Tea?", "Mrs. Hale")]
    assert [(s.name, s.gender) for s in script.speakers] == [("Giles", M), ("Mrs. Hale", F)]


def test_a_first_person_narrator_nobody_names_reads_their_own_lines() -> None:
    text = ('I walked down to the harbour that morning, as I always did when I could not sleep.\n\n'
            '"Are you coming?" Rupert asked.\n\n"No," I said.\n\nI watched him go, and then I went home alone.')
    script = analyse_book(book(chapter(1, text)), Config(characters=CAST, credits=NO_CREDITS))
    assert dialogue(script) == [("Are you coming?", "Rupert"), ("No,", "narrator")]


def test_cold_start_short_forms_join_the_fuller_discovered_name() -> None:
    text = ('"Come in," said Mr. Hale.\n\n"Thank you," said Giles Rupert.\n\n"Tea?" asked Hale.\n\n'
            '"Yes," Giles answered.')
    script = analyse_book(book(chapter(1, text)), Config(credits=NO_CREDITS))
    assert [s.name for s in script.speakers] == ["Giles Rupert", "Mr. Hale"]
    assert [speaker for _, speaker in dialogue(script)] == ["Mr. Hale", "Giles Rupert", "Mr. Hale", "Giles Rupert"]


def test_a_chapter_opening_with_a_quote_goes_on_with_the_line_that_ended_the_one_before() -> None:
    first = chapter(1, '"Where were we?" asked Rupert.\n\n"At the harbour," said Tara. "It was night.')
    second = chapter(2, '"The boats were out, and the lamps were lit."')
    script = analyse_book(book(first, second), Config(characters=CAST, credits=NO_CREDITS))
    assert dialogue(script)[-1] == ("The boats were out, and the lamps were lit.", "Tara")
    assert script.segments[-1].rule == "continuation: the line that ended the previous chapter goes on"
    after_narration = chapter(2, 'Morning came.\n\n"The boats were out."')
    assert dialogue(analyse_book(book(first, after_narration), Config(characters=CAST, credits=NO_CREDITS)))[-1] == \
        ("The boats were out.", "unknown")


def test_unattributable_line_is_unknown() -> None:
    script = analyse_book(book(chapter(1, '"Anyone there?"')), Config(credits=NO_CREDITS))
    assert dialogue(script) == [("Anyone there?", "unknown")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([
    '"Hi," said Tara.', 'Willow ran.', '"No!"', "I think I'm lost.", '*I must go,* she thought.',
    '"A" "B"', '""What?" Tara asked', '"Open', '\u201cCurly,\u201d she said.', "Rain _fell_ hard.", ',', '" "',
    "D__n it", "'Single' word.", "\u2014 Dash line", '"Nested \'one\' here," Tara said.']), min_size=1, max_size=8))
def test_every_word_lands_in_exactly_one_segment(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    ch = chapter(1, text)
    script = analyse_book(book(ch), Config(characters=CAST, credits=NO_CREDITS))
    words = re.compile(r"[^\W_]+")
    story = [w for p in ch.paragraphs for w in words.findall(ch.paragraph_text(p))]
    spoken = [w for s in script.segments if s.kind is not SegmentKind.HEADING for w in words.findall(s.text)]
    assert spoken == story
    assert all(s.text.strip() for s in script.segments)
    assert all(s.text == spoken_text(text[s.start:s.end]) for s in script.segments if s.start is not None)
    assert all(not re.search(r'["\u201c\u201d*]', s.text) for s in script.segments)


# --------------------------------------------------------------------------- old-town.txt

OLD_TOWN_LINES = [
    ("Can't sleep either?", "Willow"), ("Hi Willow,", "Tara"), ("Willow don't...", "Tara"),
    ("Would you say something?", "Willow"), ("I have nothing to say,", "Tara"), ("You have nothing to say", "Willow"),
    ("I don't understand Tara.", "Willow"), ("I know you're grateful", "Tara"), ("I want you,", "Willow"),
    ("You can't have me,", "Tara"), ("I'm too old for you.", "Tara"), ("You're not old", "Willow"),
    ("I'm several lifetimes", "Tara"), ("Didn't you see me dance?", "Willow"), ("So you can't use", "Willow"),
    ("How did you end up", "Tara"), ("This sort of lifestyle?", "Willow"), ("What are you insinuating", "Willow"),
    ("You know exactly", "Tara"), ("Look Tara,", "Willow"), ("I dance, I'm not a whore.", "Willow"),
    ("From the company you keep", "Tara"), ("What? You mean Faith", "Willow"), ("Here? Willow,", "Tara"),
    ("My understanding was", "Tara"), ("My foster family", "Willow"), ("Willow? Why would they", "Tara"),
    ("It was all very simple", "Willow"), ("Willow please stop cussing,", "Tara"), ("Why the fuck not Tara?", "Willow"),
    ("Would you say something? Instead", "Willow"), ("At least you should", "Willow"),
    ("Don't do this to me Willow,", "Tara"), ("And don't do this to yourself.", "Tara"),
    ("Do you know this guy?", "Faith"), ("Huh?", "Tara"), ("Do you know this guy?", "Faith"),
    ("Never seen him before.", "Tara"), ("Cos he says", "Faith"), ("Well?", "Tara"),
    ("I've got a message for you Tara Maclay.", "Messenger"), ("I think we've gathered", "Tara"),
    ("It's from Glory Talbot.", "Messenger"), ("I guessed as much.", "Tara"), ("You,", "Messenger"),
    ("Seems that's what everyone wants", "Tara"), ("If you don't hand yourself over", "Messenger"),
    ("They wouldn't dare!", "Lola"), ("And they won't, Lola,", "Faith"), ("They won't because Glory", "Faith"),
    ("Don't be stupid", "Tara"), ("There's no way we're handing", "Willow"), ("No one's saying that", "Faith"),
    ("So what's your answer whore?", "Messenger"), ("What word?", "Faith"), ("Cos I'm so fucking generous", "Faith"),
    ("It's your funeral bitches!", "Messenger"), ("And this is from me.", "Tara"), ("Take this creep outside", "Faith"),
    ("Make sure he gets out", "Faith"), ("You'll soon see", "Faith"), ("Whether you like it or not", "Faith"),
]
OLD_TOWN_THOUGHTS = ["I wake soaked", "Draw in a couple", "Heart's pounding", "It sounds harsh", "I haven't been",
                     "I watch Faith", "If I hear it right", "They're a pack", "I don't reply"]


@pytest.mark.skipif(not OLD_TOWN.exists(), reason="../shared/manuscripts/old-town.txt is not available")
def test_old_town_every_line_to_its_speaker_and_thoughts_to_tara() -> None:
    from fullcast.manuscript.plaintext import read_manuscript

    config = Config(monologue=Monologue("Tara"), credits=NO_CREDITS, characters=(
        Character("Tara", ("Tara Maclay", "the blonde", "the ex-cop"), F),
        Character("Willow", ("Willow Rosenberg", "the redhead"), F),
        Character("Faith", ("the brunette", "the whore"), F),
        Character("Lola", ("the Lady wearing the cop hat",), F),
        Character("Messenger", ("the man", "the guy", "the prisoner", "the scum"), M)))
    script = analyse_book(read_manuscript(OLD_TOWN), config)
    lines = dialogue(script)
    assert len(lines) == len(OLD_TOWN_LINES)
    for (text, speaker), (start, expected) in zip(lines, OLD_TOWN_LINES):
        assert text.startswith(start) and speaker == expected, (text, speaker, expected)
    thoughts = [(s.text, s.speaker) for s in script.segments if s.kind is SegmentKind.MONOLOGUE]
    assert [t for t, _ in thoughts if not any(t.startswith(x) for x in OLD_TOWN_THOUGHTS)] == []
    assert len(thoughts) == len(OLD_TOWN_THOUGHTS) and {s for _, s in thoughts} == {"Tara"}
    assert script.segments[0].kind is SegmentKind.WARNING and script.segments[0].text.startswith("A warning")
    assert {s.name for s in script.speakers} == {"Tara", "Willow", "Faith", "Lola", "Messenger"}
    text = OLD_TOWN.read_text(encoding="utf-8")
    assert all(s.text == spoken_text(text[s.start:s.end]) for s in script.segments
               if s.start is not None and s.kind is not SegmentKind.WARNING)


def test_a_speaker_naming_themself_is_the_speaker() -> None:
    text = ('Tara looked up at the stranger in the doorway.\n\n"Who are you?" asked Tara.\n\n'
            '"My name is Rupert. I was sent for."\n\n"It is I, Willow, who sent for you," said a voice from the stairs.')
    script = analyse_book(book(chapter(1, text)), Config(characters=CAST, credits=NO_CREDITS))
    assert dialogue(script) == [("Who are you?", "Tara"), ("My name is Rupert. I was sent for.", "Rupert"),
                                ("It is I, Willow, who sent for you,", "Willow")]


def test_a_line_fixed_in_voices_yaml_anchors_the_lines_around_it() -> None:
    text = ('Tara and Willow sat by the fire while the wind rattled the shutters.\n\n"Cold tonight."\n\n"It is."\n\n'
            '"Pass the blanket."\n\n"Here you are."')
    fixes = {who: Config(characters=CAST, credits=NO_CREDITS, lines=(LineFix("Cold tonight", who),))
             for who in ("Tara", "Willow")}
    assert [s for _, s in dialogue(analyse_book(book(chapter(1, text)), fixes["Tara"]))] == [
        "Tara", "Willow", "Tara", "Willow"]
    assert [s for _, s in dialogue(analyse_book(book(chapter(1, text)), fixes["Willow"]))] == [
        "Willow", "Tara", "Willow", "Tara"]
