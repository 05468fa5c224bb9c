"""journal.capture."""
