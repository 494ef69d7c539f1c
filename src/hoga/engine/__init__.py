"""hoga.engine."""
