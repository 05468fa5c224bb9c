"""Triage: rank each day's arXiv listing by the reader's own journal."""
