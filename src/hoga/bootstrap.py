"""Wiring: builds the running system from configuration (the only importer of adapters)."""
