"""journal.publish."""
