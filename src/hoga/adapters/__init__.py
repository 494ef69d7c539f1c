"""hoga.adapters."""
