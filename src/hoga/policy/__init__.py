"""hoga.policy."""
