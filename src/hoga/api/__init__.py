"""hoga.api."""
