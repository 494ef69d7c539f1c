"""hoga.cli."""
