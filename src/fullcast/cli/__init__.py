"""The command line: parse options, call one `pipeline` function, format the result.

`commands` holds the Typer app and one function per command; `progress` draws progress
bars. Only this package prints, exits, or turns a FullcastError into `Error: ...`.

May import: `pipeline`, `model`, `errors` and its own modules.
"""

from .commands import app, run

__all__ = ["app", "run"]
