"""cues: pronoun and name resolution, salience, vocatives and the names a line talks about."""

from __future__ import annotations

from fullcast.model import Gender
from fullcast.script.attribution.context import Call
from fullcast.script.attribution.cues import resolve
from fullcast.script.attribution.names import Mention, NameIndex, Person, build_index
from fullcast.script.attribution.tags import read_tag
from fullcast.script.attribution.vocatives import addressees, named_after, quoted_names

from support.attribution import INDEX, F, M
from support.attribution import plain_context as context


def pronouns(text: str, word: str) -> list[Mention]:
    """Every *word* ("she", "he") of *text* as a mention, in order."""
    return [m for m in INDEX.mentions(text, 0, len(text)) if m.pronoun == word]


def test_pronoun_goes_to_the_most_recent_fitting_person() -> None:
    ctx = context('Rupert looked at Willow and Tara.\n\n"Well?" she said.')
    she = pronouns(ctx.text, "she")[0]
    assert resolve(ctx, she, 0) == "Tara"


def test_a_name_before_a_verb_is_a_subject_too() -> None:
    ctx = context('Faith might have come along, but for some reason Willow did not want her.\n\n"No," she said.')
    she = pronouns(ctx.text, "she")[0]
    assert resolve(ctx, she, 0) == "Willow"


def test_a_pronoun_with_no_one_before_it_means_the_next_fitting_person_named() -> None:
    ctx = context('He had finished his breakfast. Tara knelt by him. Later Rupert smiled.')
    assert ctx.events == [(0, "Rupert"), (31, "Tara"), (56, "Rupert")]


def test_a_person_named_just_before_a_pronoun_beats_a_subject_long_before() -> None:
    ctx = context("Tara saw Willow. She laughed.")
    assert ctx.events[-1] == (17, "Tara")  # a subject as close as the other mention still comes first
    pause = "The rain fell on the roofs and the gardens all afternoon. " * 6
    ctx = context(f"Tara sat down. {pause}An air of evasion marked Willow. She explained again.")
    assert ctx.events[-1][1] == "Willow"


def test_a_person_named_in_the_pronouns_own_paragraph_beats_a_subject_before_it() -> None:
    ctx = context('Tara sat down.\n\nBy the window was a chair for Willow. "Well?" she asked.')
    assert resolve(ctx, pronouns(ctx.text, "she")[-1], 0) == "Willow"


def test_subjects_of_clauses_and_inverted_tags() -> None:
    ctx = context('Faith saw Tara, and Willow laughed. "Go," cried Rupert to Tara\'s sister.')
    subjects = sorted(name for start, name in ctx.events if start in ctx.subjects)
    assert subjects == ["Faith", "Rupert", "Willow"]
    ctx = context('From being a woman with a mission, Willow shrank to a child; Tara rode on, and Faith just smiled.')
    assert [name for start, name in ctx.events if start in ctx.subjects] == ["Willow", "Tara", "Faith"]
    ctx = context("Faith sat down; yet Willow's spirits rose.")
    assert [name for start, name in ctx.events if start in ctx.subjects] == ["Faith", "Willow"]
    ctx = context('Tara, helped by Willow, laughed.')
    assert [name for start, name in ctx.events if start in ctx.subjects] == ["Tara"]
    ctx = context('Faith smiled, remembering how often Willow had teased her.')
    assert [name for start, name in ctx.events if start in ctx.subjects] == ["Faith"]
    ctx = context('Faith decided that Willow was tired.\n\n"Rest," she said.')
    assert [name for start, name in ctx.events if start in ctx.subjects] == ["Faith", "Faith"]
    she = pronouns(ctx.text, "she")[-1]
    assert resolve(ctx, she, 0) == "Faith"


def test_pronoun_is_not_someone_its_clause_names() -> None:
    ctx = context('Tara sat down, and Willow came in.\n\n"Well?" she said to Willow.')
    she = pronouns(ctx.text, "she")[0]
    assert named_after(ctx.text, INDEX, she) == {"Willow"}
    assert resolve(ctx, she, 0) == "Tara"
    text = 'As she spoke, Willow rose. "Go," she said, and Tara left.'
    first, second = pronouns(text, "she")
    assert named_after(text, INDEX, first) == set()
    assert named_after(text, INDEX, second) == {"Tara"}
    text = '"Yes," she said to Tara, with a warmth which brought the old Willow to mind.'
    assert named_after(text, INDEX, pronouns(text, "she")[0]) == {"Tara"}


def test_pronoun_in_an_exchange_means_someone_taking_part() -> None:
    ctx = context('"Hi," said Tara.\n\n"Hello," said Rupert, as Willow went out.\n\n"Well?" she asked.')
    ctx.calls[0], ctx.calls[1] = [Call("Tara", "given")], [Call("Rupert", "given")]
    she = pronouns(ctx.text, "she")[-1]
    assert resolve(ctx, she, 2) == "Tara"
    ctx.calls[0] = [Call("Faith", "given")]
    assert resolve(ctx, she, 2) == "Faith"


def test_a_pronoun_in_an_exchange_may_mean_someone_named_just_before() -> None:
    pause = "The rain fell on the roofs and the gardens all afternoon. " * 6
    ctx = context(f'"Hi," said Tara.\n\n"Hello," said Rupert. {pause}He looked at Willow.\n\n"Well?" she asked.')
    ctx.calls[0], ctx.calls[1] = [Call("Tara", "given")], [Call("Rupert", "given")]
    assert resolve(ctx, pronouns(ctx.text, "she")[-1], 2) == "Willow"


def test_a_short_pause_in_the_narration_does_not_end_the_exchange() -> None:
    for pause, speaker in (("Rupert looked at Willow.", "Tara"), ("Rupert looked at Willow. " * 12, "Willow")):
        ctx = context(f'"Hi," said Tara.\n\n"Hello," said Rupert.\n\n{pause}\n\n"Well?" she asked.')
        ctx.calls[0], ctx.calls[1] = [Call("Tara", "given")], [Call("Rupert", "given")]
        assert resolve(ctx, pronouns(ctx.text, "she")[-1], 2) == speaker


def test_a_subject_of_the_narration_since_the_last_line_is_in_view() -> None:
    text = ('"Go in," said Tara.\n\n"Wait," said Faith. Willow slowly climbed the steps and looked down at Tara.'
            '\n\n"I think you are wrong," she said.')
    ctx = context(text)
    ctx.calls[0], ctx.calls[1] = [Call("Tara", "given")], [Call("Faith", "given")]
    she = pronouns(ctx.text, "she")[-1]
    assert resolve(ctx, she, 2) == "Willow"


def test_a_name_called_in_a_line_puts_that_person_in_focus() -> None:
    ctx = context('Rupert looked at Tara.\n\n"Come in, Willow," he called.\n\nShe smiled. "Thanks."')
    she = pronouns(ctx.text, "she")[0]
    assert resolve(ctx, she, 1) == "Willow"


def test_pronoun_skips_the_addressee() -> None:
    ctx = context('Rupert looked at Willow and Tara.\n\n"Tara, go," she said.')
    she = pronouns(ctx.text, "she")[0]
    assert resolve(ctx, she, 0) == "Willow"


def test_pronoun_never_means_the_first_person_narrator() -> None:
    ctx = context('Tara sat down.\n\n"Well?" I said.\n\n"Nothing," she said.', narrator="Willow")
    ctx.calls[0] = [Call("Willow", "given")]
    she = pronouns(ctx.text, "she")[0]
    i = pronouns(ctx.text, "i")[0]
    assert resolve(ctx, she, 1) == "Tara"
    assert resolve(ctx, i, 0) == "Willow"


def test_pronoun_means_the_one_the_narrator_turns_to() -> None:
    text = 'Faith sat down.\n\nI went over to speak with Willow.\n\n"Well?" she asked.'
    she = pronouns(text, "she")[0]
    assert resolve(context(text, narrator="Tara"), she, 0) == "Willow"
    assert resolve(context(text.replace("I went", "Rupert went")), she, 0) == "Faith"


def test_a_bare_honorific_addresses_no_one() -> None:
    index = build_index([Person("Sir", M, True), Person("Mademoiselle Reisz", F, True, ("Mademoiselle",)),
                         Person("Rupert", M, True)])
    ctx = context('"Yes, Sir." "Thank you, Mademoiselle." "Thank you, Rupert."', index=index)
    assert addressees(ctx, ctx.turns[0]) == ("Rupert",)
    said = context('"No," said Mademoiselle.', index=index)
    subject = read_tag(said, 0, len(said.text), True)[0]
    assert resolve(said, subject, 0) == "Mademoiselle Reisz"


def test_a_generic_alias_means_its_owner_only_when_the_owner_is_about() -> None:
    index = build_index([Person("Lucy", F, True), Person("Persephone", F, True, ("the girl",)),
                         Person("Rupert", M, True), Person("Messenger", M, True, ("the man",))])

    def speaker(text: str) -> str | None:
        ctx = context(text, index=index)
        quote = ctx.turns[-1].quotes[0]
        return resolve(ctx, read_tag(ctx, quote.end + 1, len(text), True)[0], len(ctx.turns) - 1)

    assert speaker('Lucy looked up.\n\n"Hi," said the girl.') == "Lucy"
    assert speaker('Persephone came in. Lucy looked up.\n\n"Hi," said the girl.') == "Persephone"
    assert speaker('Rupert sat down.\n\n"Hi, Rupert," said the man.') == "Messenger"  # the one addressed is not him
    assert speaker('Rupert sat down.\n\n"Hi," said the man.') == "Rupert"
    assert speaker('Lucy frowned.\n\n"Go," said the man.') == "Messenger"  # no one else fits
    lad = build_index([Person("Dorian", M, True), Person("The Lad", Gender.UNKNOWN, True), Person("Sibyl", F, True)])
    ctx = context('Dorian smiled at Sibyl.\n\n"No," cried the lad.', index=lad)
    assert resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(ctx.text), True)[0], 0) == "Dorian"


def test_the_old_man_is_the_one_the_cast_calls_old() -> None:
    index = build_index([Person("Mr. Emerson", M, True, ("Old Mr. Emerson",)), Person("George", M, True)])

    def speaker(text: str) -> str | None:
        ctx = context(text, index=index)
        return resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(text), True)[0], 0)

    assert speaker('Mr. Emerson sat. George stood.\n\n"Hi," said the old man.') == "Mr. Emerson"
    assert speaker('Mr. Emerson sat. George stood.\n\n"Hi," said the young man.') == "George"
    # the only one the cast calls old, though the story has not named him yet: George is not old
    assert speaker('George stood.\n\n"Hi," said the old man.') == "Mr. Emerson"


def test_the_old_man_in_the_narration_is_the_one_the_cast_calls_old_too() -> None:
    index = build_index([Person("Mr. Emerson", M, True, ("Old Mr. Emerson",)), Person("George", M, True)])
    ctx = context('George came in. The old man turned to him.\n\n"Well?" he asked.', index=index)
    assert [name for _, name in ctx.events] == ["George", "Mr. Emerson", "Mr. Emerson"]  # the old man, he
    assert resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(ctx.text), True)[0], 0) == "Mr. Emerson"


def test_the_girl_is_no_one_the_cast_calls_mrs() -> None:
    index = build_index([Person("Daisy", F, True), Person("Mrs. Miller", F, True), Person("Rupert", M, True)])

    def speaker(text: str) -> str | None:
        ctx = context(text, index=index)
        return resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(text), True)[0], 0)

    assert speaker('Daisy sat by Mrs. Miller.\n\n"Hi," said the girl.') == "Daisy"
    assert speaker('Daisy sat by Mrs. Miller.\n\n"Hi," said the lady.') == "Mrs. Miller"


def test_quoted_names_are_the_people_a_line_talks_about_not_to() -> None:
    ctx = context('"Rupert is late again, Willow."')
    assert quoted_names(ctx, 0) == {"Rupert"}


def test_a_rank_shared_by_two_means_the_one_about_else_no_one() -> None:
    two = build_index([Person("Colonel Brandon", M, True), Person("Colonel Fussell", M, True),
                       Person("Tara", F, True)])
    one = build_index([Person("Colonel Brandon", M, True), Person("Tara", F, True)])
    named = 'Colonel Brandon bowed to Tara.\n\n"Indeed," said the Colonel.'
    unnamed = 'Tara sat down.\n\n"Indeed," said the Colonel.'

    def speaker(text: str, index: NameIndex) -> str | None:
        ctx = context(text, index=index)
        return resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(text), True)[0], 0)

    assert speaker(named, one) == "Colonel Brandon"
    assert speaker(unnamed, one) == "Colonel Brandon"
    assert speaker(named, two) == "Colonel Brandon"
    assert speaker(unnamed, two) is None


def test_a_description_after_a_line_calling_someone_by_name_is_that_one_answering() -> None:
    index = build_index([Person("Lucy", F, True), Person("Mrs. Honeychurch", F, True),
                         Person("Persephone", F, True, ("the lady",)), Person("Rupert", M, True)])
    ctx = context('Mrs. Honeychurch came in.\n\n"Hi, Mrs. Honeychurch," Rupert said to Lucy.\n\n'
                  '"Late," the lady retorted.', index=index)
    assert resolve(ctx, read_tag(ctx, ctx.turns[1].quotes[0].end + 1, len(ctx.text), True)[0], 1) == \
        "Mrs. Honeychurch"


def test_her_father_unknown_to_the_cast_is_of_the_elder_generation() -> None:
    index = build_index([Person("Elizabeth", F, True), Person("Mr. Bennet", M, True), Person("Darcy", M, True)])
    ctx = context('Mr. Bennet sat down. Darcy came in, and Elizabeth stood.\n\n"Go," said her father.', index=index)
    assert resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(ctx.text), True)[0], 0) == "Mr. Bennet"
    ctx = context('Mr. Bennet sat down. Darcy came in, and Elizabeth stood.\n\n"Go," said her brother.', index=index)
    assert resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(ctx.text), True)[0], 0) == "Darcy"


def test_a_description_after_someone_new_of_that_kind_came_in_is_that_stranger_in_tags_and_narration() -> None:
    index = build_index([Person("Dorian", M, True), Person("Basil", M, True), Person("Tara", F, True)])

    def speaker(text: str) -> str | None:
        ctx = context(text, index=index)
        return resolve(ctx, read_tag(ctx, ctx.turns[-1].quotes[0].end + 1, len(ctx.text), True)[0], len(ctx.turns) - 1)

    assert speaker('Dorian thought of Basil.\n\n"Who?" he gasped.\n\n"Quiet," said the man.') == "Dorian"
    assert speaker('Dorian thought of Basil. He saw a short, thick-set man.\n\n"Who?" he gasped.\n\n'
                   '"Quiet," said the man.') is None
    ctx = context('Dorian saw a tall man by the door. The man bowed. Dorian nodded.', index=index)
    assert [name for _, name in ctx.events] == ["Dorian", "Dorian"]  # the stranger is no one the cast knows
    generic = build_index([Person("Dorian", M, True), Person("Messenger", M, True, ("the man",))])
    ctx = context('Dorian sat. Dorian saw a tall man by the door. The man bowed.', index=generic)
    assert [name for _, name in ctx.events] == ["Dorian", "Dorian"]  # nor is the generic alias someone else
    ctx = context('"Go," said Dorian, and a tall man came in.\n\n"Who?" he gasped.\n\n"Quiet," said the man.', index=index)
    assert resolve(ctx, read_tag(ctx, ctx.turns[2].quotes[0].end + 1, len(ctx.text), True)[0], 2) is None


def test_a_description_in_an_exchange_means_someone_taking_part() -> None:
    ctx = context('"Hi," said Tara.\n\n"Hello," said Rupert, as Willow went out.\n\n"Well?" asked the girl.')
    ctx.calls[0], ctx.calls[1] = [Call("Tara", "given")], [Call("Rupert", "given")]
    assert resolve(ctx, read_tag(ctx, ctx.turns[2].quotes[0].end + 1, len(ctx.text), True)[0], 2) == "Tara"


def test_a_voice_is_the_next_person_the_narration_shows_speaking_not_one_hearing_it() -> None:
    def speaker(text: str) -> str | None:
        ctx = context(text)
        return resolve(ctx, read_tag(ctx, ctx.turns[0].quotes[0].end + 1, len(ctx.text), True)[0], 0)

    assert speaker('Tara sat by the pond.\n\n"Well," said a voice close ahead, and Willow rose out of the reeds.') == \
        "Willow"
    assert speaker('"Eleven," said a voice, out of the dark; and Tara, turning, saw a stranger.') is None
