"""Anjungan kiosk core: UI-free logic between the drivers and the touchscreen."""

__version__ = "0.1.0"
