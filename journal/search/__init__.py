"""journal.search."""
