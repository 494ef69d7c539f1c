"""hoga.wire."""
