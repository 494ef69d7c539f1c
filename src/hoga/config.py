"""Configuration of a hoga deployment."""
