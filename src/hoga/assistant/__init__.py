"""hoga.assistant."""
