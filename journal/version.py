"""The version of journal (one place; `journal --version` and the arXiv User-Agent read it)."""

__version__ = "0.1.0"
