"""hoga: a self-hostable securities Open API service over a simulated KRX exchange."""

__version__ = "0.1.0"
