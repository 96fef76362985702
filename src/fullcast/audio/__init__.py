"""The audio stage: cast lines -> cached clips -> levelled, mastered, encoded chapter audio.

- `engines/`: one module per speech engine behind one small interface;
- `synthesis`: fills the clip cache on every core (`synthesize_lines`), long lines in pieces (`utterances`);
- `cache`: the content-addressed clip cache and its whole-entries-only rule;
- `clips`: clips read back without their padding (pydub), and each voice's level;
- `stitch`: a file's clips laid out in time and measured (`loudness`, libebur128), cut into blocks;
- `master`: one gain to the loudness target past the limiter, each block encoded once into the cache;
- `ffmpeg`: the only module that runs the bundled ffmpeg, and its meters.

Nothing is imported here, so asking `audio.engines` about voices does not load numpy or pydub.

May import: `model`, `errors`, `settings` and its own modules.
"""
