"""Tests for fullcast.publish.editions: the M4B and read-along editions and every folder's sidecars."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mutagen.mp4 import MP4

from fullcast.publish.cover import generated_cover
from fullcast.publish.editions import publish_editions
from fullcast.publish.layout import Edition
from fullcast.publish.metadata import BookMetadata
from fullcast.settings.config import Config

from support.render import render_with_fake_engine

TEXT = "Title: Tiny Book\nAuthor: A. Writer\n\n# One\n\nThe lamp was lit.\n\n# Two\n\n\"Good,\" said Ada.\n"
BOOK = BookMetadata("Tiny Book", authors=("A. Writer",), narrators=("the fullcast ensemble",), series="Lamps",
                    series_part="2", blurb="A blurb.", warning="Content warning: peril.", explicit=True)
ALL = frozenset(Edition)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("editions")
    exported = render_with_fake_engine(folder, TEXT)
    cover = generated_cover(BOOK.title, BOOK.authors)
    made = publish_editions(exported, ALL, folder / "out", Config(), BOOK, cover)
    return folder / "out", exported, cover, made


def test_each_edition_in_its_own_root_with_its_sidecars(rendered) -> None:
    out, exported, _, made = rendered
    assert [(m.edition, m.folder.relative_to(out)) for m in made] == [
        (Edition.MP3, Path("mp3/A. Writer/Tiny Book")), (Edition.M4B, Path("m4b/A. Writer/Lamps/Tiny Book")),
        (Edition.EPUB3, Path("epub3/A. Writer/Tiny Book"))]
    sidecars = {"metadata.json", "metadata.opf", "cover.jpg"}
    mp3, m4b, epub = (sorted(p.name for p in m.folder.iterdir() if not p.name.startswith(".")) for m in made)
    assert mp3 == sorted(sidecars | {p.name for p in exported.files} | {"Tiny Book.m3u"})
    assert m4b == sorted(sidecars | {"Tiny Book.m4b"})
    assert epub == sorted(sidecars | {"Tiny Book.epub"})
    assert [m.files for m in made][1:] == [(made[1].folder / "Tiny Book.m4b",), (made[2].folder / "Tiny Book.epub",)]


def test_every_folder_says_the_same(rendered) -> None:
    _, _, cover, made = rendered
    texts = {(m.folder / "metadata.json").read_text(encoding="utf-8") for m in made}
    assert len(texts) == 1
    data = json.loads(texts.pop())
    assert (data["title"], data["narrators"], data["series"], data["explicit"]) == (
        "Tiny Book", ["the fullcast ensemble"], ["Lamps #2"], True)
    assert data["description"] == "A blurb.\n\nContent warning: peril."
    assert [c["title"] for c in data["chapters"]] == ["One", "Two"]
    assert all((m.folder / "cover.jpg").read_bytes() == cover.data for m in made)


def test_the_m4b_carries_the_book(rendered) -> None:
    _, _, _, made = rendered
    mp4 = MP4(made[1].files[0])
    assert (mp4["©nam"], mp4["©wrt"], mp4["desc"], mp4["©mvn"], mp4["rtng"]) == (
        ["Tiny Book"], ["the fullcast ensemble"], ["A blurb.\n\nContent warning: peril."], ["Lamps"], [1])


def test_nothing_changed_leaves_the_editions_alone(rendered) -> None:
    out, exported, cover, made = rendered
    unchanged = type(exported)(**{**exported.__dict__, "encoded": ()})
    files = [p for m in made for p in m.folder.iterdir()]
    before = {p: os.stat(p).st_mtime_ns for p in files}
    again = publish_editions(unchanged, ALL, out, Config(), BOOK, cover)
    assert again == made
    assert {p: os.stat(p).st_mtime_ns for p in files} == before


def test_only_the_editions_asked_for(tmp_path: Path) -> None:
    exported = render_with_fake_engine(tmp_path, TEXT)
    made = publish_editions(exported, frozenset({Edition.MP3}), tmp_path / "out", Config(), BOOK, None)
    assert [m.edition for m in made] == [Edition.MP3]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".cache", ".fullcast", ".fullcast.lock", "mp3"]
    assert not (made[0].folder / "cover.jpg").exists()
