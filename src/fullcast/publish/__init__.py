"""The publish stage: clips and chapter audio -> finished, tagged files in the output folder.

- `export`: the book folder, its lock, and re-encoding only the chapters that changed;
- `manifest`: what each finished file was made from;
- `tag` (mutagen) and `cover` (Pillow): ID3/MP4 tags, chapter marks and the cover;
- `transcript`: WebVTT and SRT; `m4b`: the whole book as one M4B;
- `check`: any rendered files measured against distributor profiles.

Nothing is imported here, so importing one module does not load the others.

May import: `model`, `errors`, `settings`, `audio` and its own modules.
"""
