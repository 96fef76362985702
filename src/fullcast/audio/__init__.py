"""The audio stage: cast lines -> cached clips -> levelled, stitched, mastered chapter audio.

- `engines/`: one module per speech engine behind one small interface;
- `synthesis`: the content-addressed clip cache, filled on every core (`synthesize_lines`);
- `stitch`: per-voice levelling, stitching with pauses, mastering and MP3 encoding (pydub);
- `ffmpeg`: the only module that runs the bundled ffmpeg, and its meters.

Nothing is imported here, so asking `audio.engines` about voices does not load numpy or pydub.

May import: `model`, `errors`, `settings` and its own modules.
"""
