"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path


def render_with_fake_engine(folder: Path, text: str):
    """Render a one-file book *text* with the fake engine (tones in place of speech); export's result."""
    from fullcast.audio.synthesis import synthesize_lines
    from fullcast.casting.cast import cast_script
    from fullcast.manuscript.plaintext import read_manuscript
    from fullcast.publish.export import export_book
    from fullcast.script.analyse import analyse_book
    from fullcast.settings.config import Config

    (folder / "ms").mkdir()
    (folder / "ms" / "book.md").write_text(text, encoding="utf-8")
    config = Config(engine="fake")
    cast = cast_script(analyse_book(read_manuscript(folder / "ms"), config), config)
    clips = synthesize_lines(cast.lines, folder / "cache", jobs=1)
    return export_book(cast, clips, config, folder / "out", jobs=1)


def distinct_lines(book: Path, speaker: str | None = None) -> int:
    """Distinct (voice, text) pairs of a book folder, which is what synthesis makes, for one speaker or all."""
    from fullcast import pipeline

    manuscript = book / "manuscript" if (book / "manuscript").is_dir() else book
    _, cast = pipeline.analyse(manuscript, book / "voices.yaml")
    return len({(line.voice, line.spoken) for line in cast.lines if speaker in (None, line.segment.speaker)})
