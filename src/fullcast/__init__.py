"""fullcast: turn a fiction manuscript into a full-cast audiobook."""

__version__ = "0.1.0"
