"""journal.cli."""
