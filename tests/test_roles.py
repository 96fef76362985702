"""roles: the roles a story sets after someone's name, learnt as that person's aliases."""

from __future__ import annotations

from fullcast.model import Gender
from fullcast.names import Person, build_index
from fullcast.roles import learn_roles

F, M = Gender.FEMALE, Gender.MALE
INDEX = build_index([Person("Mr. Wells", M, True), Person("Marilla", F, True), Person("Anne", F, True),
                     Person("Tara", F, True), Person("The Coroner", M, True)])


def test_a_role_after_a_name_that_also_speaks_alone_is_that_persons() -> None:
    text = '"Ask Mr. Wells, the lawyer, and the coroner." "No," murmured the lawyer. "Marilla, the brooch!"'
    assert learn_roles(text, INDEX) == {"Mr. Wells": ["the lawyer"]}


def test_a_role_never_spoken_alone_shared_or_already_cast_is_not_learnt() -> None:
    text = ('Anne, the teacher, came. Tara, the maid, and Anne, the maid, left. Mr. Wells, the coroner, sat. '
            'Marilla, the other, spoke. "Yes," said the maid. "No," said the coroner. "Oh," said the other.')
    assert learn_roles(text, INDEX) == {}
