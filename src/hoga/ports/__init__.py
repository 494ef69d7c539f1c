"""hoga.ports."""
