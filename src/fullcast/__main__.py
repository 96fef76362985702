"""`python -m fullcast` runs the command line."""

from .cli import run

run()
