"""Reference central API server and fleet dashboard for Anjungan kiosks."""

__version__ = "0.1.0"
