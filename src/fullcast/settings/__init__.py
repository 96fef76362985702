"""The settings: voices.yaml -> `Config`, the typed, validated cast and options every stage reads.

`config` holds the frozen types and their defaults; `voicesfile` is the only reader and
writer of the YAML (ruamel.yaml), which validates once and names every problem by
file:line and dotted key.

May import: `model`, `errors` and its own modules.
"""

from .config import Config
from .voicesfile import load_config
from .yamlfile import add_characters, edit_yaml, file_digest, write_line_fix

__all__ = ["Config", "add_characters", "edit_yaml", "file_digest", "load_config", "write_line_fix"]
