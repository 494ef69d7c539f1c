"""hoga.domain."""
