"""review_queue: one item per paragraph of dialogue, least confident first, with its screenplay line and a match."""

from __future__ import annotations

from fullcast.model import NARRATOR, Book, Candidate, Chapter, ContentWarning, Paragraph, Script, Segment, SegmentKind
from fullcast.script.review import ReviewItem, distinctive_match, fold, review_queue, screenplay_lines

Piece = tuple  # (speaker, text) or (speaker, text, confidence) or (speaker, text, confidence, candidates)


def script(*chapters: list[list[Piece]], warning: str | None = None) -> Script:
    """A script of *chapters*, each a list of paragraphs of pieces; a piece by NARRATOR is narration, any other
    speaker's is a quote. Every chapter opens with its heading segment, as the analysis makes them."""
    book_chapters, segments = [], []
    if warning:
        segments.append(Segment(1, 0, SegmentKind.WARNING, NARRATOR, warning, None, None, None))
    for number, paragraphs in enumerate(chapters, 1):
        text, spans, found = "", [], []
        for paragraph in paragraphs:
            start = len(text)
            for speaker, words, *rest in paragraph:
                quoted = speaker != NARRATOR
                text += '"' if quoted else ""
                found.append((speaker, words, len(text), rest))
                text += words + ('" ' if quoted else " ")
            spans.append(Paragraph(start, len(text) - 1))
            text = text[:-1] + "\n\n"
        chapter = Chapter(number, f"Chapter {number}", f"ch{number}.md", text, None, tuple(spans))
        book_chapters.append(chapter)
        segments.append(Segment(number, 0, SegmentKind.HEADING, NARRATOR, chapter.title, None, None, None))
        for speaker, words, start, rest in found:
            kind = SegmentKind.NARRATION if speaker == NARRATOR else SegmentKind.DIALOGUE
            confidence = rest[0] if rest else None
            candidates = rest[1] if len(rest) > 1 else ()
            rule = rest[2] if len(rest) > 2 else "tag"
            segments.append(Segment(number, 0, kind, speaker, words, chapter.source, start, start + len(words),
                                    rule=rule, confidence=confidence, candidates=candidates))
    counted: dict[int, int] = {}
    numbered = []
    for s in segments:
        numbered.append(Segment(s.chapter, counted.get(s.chapter, 0), s.kind, s.speaker, s.text, s.source, s.start,
                                s.end, rule=s.rule, confidence=s.confidence, candidates=s.candidates))
        counted[s.chapter] = counted.get(s.chapter, 0) + 1
    warn = ContentWarning(warning) if warning else None
    return Script(Book("T", None, None, (), warn, tuple(book_chapters)), tuple(numbered), ())


def test_the_least_confident_come_first_and_ties_keep_reading_order() -> None:
    s = script([[("Tara", "I am quite sure of it.", 0.9)], [("Willow", "Are you, though?", 0.3)],
                [("Tara", "Not at all, no.")], [("Willow", "Then say so plainly.", 0.3)]])
    assert [(i.line, i.speaker, i.confidence) for i in review_queue(s, 50)] == [
        (5, "Tara", 0.0), (4, "Willow", 0.3), (6, "Willow", 0.3), (3, "Tara", 0.9)]
    assert [i.line for i in review_queue(s, 2)] == [5, 4]


def test_an_item_is_a_paragraph_and_its_least_confident_quote_stands_for_it() -> None:
    s = script([[(NARRATOR, "Tara waited.")],
                [("Tara", "Hi,", 0.8), (NARRATOR, "said Tara."), ("Willow", "are you coming?", 0.5)],
                [(NARRATOR, "Willow shook her head.")]])
    assert review_queue(s, 50) == (ReviewItem(
        chapter=1, line=6, index=4, text="Hi, … are you coming?", before="Tara waited.",
        after="Willow shook her head.", speaker="Willow", confidence=0.5,
        candidates=(Candidate("Willow", 0.5),), match="are you coming?", shared=0),)


def test_candidates_come_from_the_analysis_when_it_gives_them() -> None:
    ranked = (Candidate("Willow", 0.55, ("tag after names them (+2.1)",)), Candidate("Tara", 0.45))
    s = script([[("Willow", "Nobody listens to me here.", 0.55, ranked)]])
    assert review_queue(s, 50)[0].candidates == ranked


def test_lines_decided_in_voices_yaml_are_not_asked_again_but_keep_their_words() -> None:
    s = script([[("Tara", "Go home now.", 1.0, (), "voices.yaml lines[0]")], [("Willow", "Go home now, Tara.")]])
    (item,) = review_queue(s, 50)
    assert (item.line, item.match, item.shared) == (4, "home now, Tara.", 0)


def test_lines_count_banners_blank_lines_and_line_breaks_as_the_screenplay_does() -> None:
    s = script([[("Tara", "One.")]], [[(NARRATOR, "Rain.")], [("Willow", "Two.")]],
               warning="Violence.\nLanguage.")
    # 1 == banner ==, 2-3 the warning, 4 heading, 5 One., 6 blank, 7 == banner ==, 8 heading, 9 Rain., 10 Two.
    assert list(screenplay_lines(s).values()) == [2, 4, 5, 8, 9, 10]
    assert [(i.chapter, i.line, i.index, i.before, i.after) for i in review_queue(s, 50)] == [
        (1, 5, 2, "", ""), (2, 10, 2, "Rain.", "")]


def test_a_match_is_the_first_three_words_found_nowhere_else() -> None:
    assert distinctive_match(["Well, I never said that to him."], [fold("Well, I never did."), fold("He said that")]) \
        == ("I never said", 0)


def test_a_short_line_is_its_own_match_without_edge_punctuation() -> None:
    assert distinctive_match(["Hi,"], [fold("Go away.")]) == ("Hi", 0)


def test_a_match_grows_until_it_is_distinctive() -> None:
    others = [fold("You are late."), fold("Are late again?"), fold("late again today")]
    assert distinctive_match(["you are late again today"], others) == ("you are late again", 0)


def test_the_quote_under_review_gives_the_match_before_a_shorter_one() -> None:
    assert distinctive_match(["Come here, now, you two.", "Stop."], [fold("Come here, now, you three.")]) == \
        ("now, you two.", 0)


def test_another_quote_of_the_paragraph_gives_it_when_the_first_is_repeated() -> None:
    assert distinctive_match(["Yes.", "Stop it."], [fold("Yes.")]) == ("Stop it.", 0)


def test_a_match_never_spans_two_quotes() -> None:
    # "Stop. Come here." is found nowhere else, but a tag between the quotes would keep it from matching
    assert distinctive_match(["Stop.", "Come here."], [fold("Stop."), fold("Come here. Sit.")]) == ("Stop.", 1)


def test_a_line_repeated_word_for_word_is_matched_whole_and_says_how_often() -> None:
    assert distinctive_match(["Yes, sir."], [fold("Yes, sir."), fold("No."), fold("Yes, sir. Quite.")]) == \
        ("Yes, sir.", 2)


def test_folding_matches_the_way_lines_entries_compare() -> None:
    assert fold("  I’m “Here”\n NOW ") == "i'm \"here\" now"
