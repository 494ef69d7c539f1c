"""hoga.client."""
