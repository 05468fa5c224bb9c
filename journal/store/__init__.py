"""journal.store."""
