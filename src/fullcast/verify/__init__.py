"""The verify stage: hear a rendered book with Whisper and compare it with the script that was read.

- `align`: words normalised for comparison, the word alignment, WER and the segments not heard;
- `whisper`: faster-whisper with the bundled tiny.en model (the only module importing them);
- `check`: the book folders, script.jsonl and the manifest's cues, and the report.

Nothing is imported here, so importing one module does not load the others.

May import: `model`, `errors`, `settings`, `audio`, `publish` and its own modules.
"""
