"""vocatives: who a line calls by name, and the shapes that name someone without calling them."""

from __future__ import annotations

from fullcast.script.attribution.context import Turn
from fullcast.script.attribution.names import Person, build_index
from fullcast.script.attribution.vocatives import addressees, quoted_names

from support.attribution import F, M
from support.attribution import plain_context as context


def test_vocatives() -> None:
    ctx = context('"Hi Willow, you came." "I know you\'re grateful, Rupert." "Tara." "Tara said so."')
    assert addressees(ctx, ctx.turns[0]) == ("Willow", "Rupert")
    one = Turn(0, 0, (ctx.turns[0].quotes[2],), 0)
    assert addressees(ctx, one) == ()
    two = Turn(0, 0, (ctx.turns[0].quotes[3],), 0)
    assert addressees(ctx, two) == ()


def test_a_name_called_with_an_endearment() -> None:
    ctx = context('"Rupert dear, look at me." "Willow dearest--" "Tara dear is late."')
    assert [addressees(ctx, Turn(0, 0, (q,), 0)) for q in ctx.turns[0].quotes] == [("Rupert",), ("Willow",), ()]


def test_a_name_on_its_own_as_a_sentence_answers_and_does_not_call() -> None:
    ctx = context('"Who came? Willow." "Tara? She left." "Yes, Willow." "Rupert!" "Rupert!" Tara repeated.')
    assert [addressees(ctx, Turn(0, 0, (q,), 0)) for q in ctx.turns[0].quotes] == [(), (), ("Willow",), ("Rupert",),
                                                                                   ()]


def test_a_subject_set_off_by_an_aside_is_not_called() -> None:
    ctx = context('"Willow, I dare say, knows." "Tara, the tall one, came." "Well, Willow, I dare say you know."')
    assert [addressees(ctx, Turn(0, 0, (q,), 0)) for q in ctx.turns[0].quotes] == [(), (), ("Willow",)]


def test_a_name_after_a_title_of_the_other_gender_is_someone_else() -> None:
    ctx = context('"Ask Mr. Willow, then." "Thank you, Mr. Rupert."')
    assert addressees(ctx, ctx.turns[0]) == ("Rupert",)


def test_names_in_a_list_are_not_called() -> None:
    ctx = context('"Tara, Willow, Faith, all came." "Marry Rupert, Willow."')
    assert [addressees(ctx, Turn(0, 0, (q,), 0)) for q in ctx.turns[0].quotes] == [(), ("Willow",)]


def test_names_in_a_story_quoting_others_address_no_one() -> None:
    ctx = context('"Then she says to me, ‘Never trust a man, Willow!’ she says."\n\n"Willow, go home."')
    assert addressees(ctx, ctx.turns[0]) == ()
    assert addressees(ctx, ctx.turns[1]) == ("Willow",)


def test_a_polite_vocative_addresses_the_relative_the_narration_named_last() -> None:
    index = build_index([Person("Mr. Emerson", M, True), Person("George Emerson", M, True, ("George",)),
                         Person("Lucy", F, True)])
    ctx = context('Lucy met George.\n\n"Thank you, Mr. Emerson."\n\nLucy met Mr. Emerson.\n\n"Thank you, Mr. Emerson."'
                  '\n\n"Oh, Lucy."', index=index)
    assert [addressees(ctx, turn) for turn in ctx.turns] == [("George Emerson",), ("Mr. Emerson",), ("Lucy",)]
    pages = "Lucy walked on and on. " * 200  # George was named pages ago, and no one else since
    ctx = context(f'Lucy met George.\n\n{pages}\n\n"Thank you, Mr. Emerson."', index=index)
    assert addressees(ctx, ctx.turns[0]) == ("George Emerson",)


def test_words_said_to_oneself_call_no_one_else() -> None:
    for tag, called in (("she said", ("Tara",)), ("she reflected", ()), ("said Faith to herself", ())):
        ctx = context(f'Tara sat down.\n\n"Tara, you are in for it," {tag}.')
        assert (addressees(ctx, ctx.turns[0]), quoted_names(ctx, 0)) == (called, set())


def test_a_speaker_introducing_themselves_names_no_one_else() -> None:
    ctx = context('"I am Willow\'s friend. My name\nis Tara. Call me Faith, I\'m Rupert."')
    assert quoted_names(ctx, 0) == {"Willow"}
    assert quoted_names(context('"Rupert is my name, and Tara is my friend. Faith. That is my name."'), 0) == {"Tara"}


def test_someone_naming_themself_calls_no_one() -> None:
    ctx = context('"It is I, Faith, who sent for you." "It\'s me, Tara!" "My name is Rupert." "Is it you, Willow?"')
    assert [addressees(ctx, Turn(0, 0, (q,), 0)) for q in ctx.turns[0].quotes] == [(), (), (), ("Willow",)]
