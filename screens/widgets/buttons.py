"""Buttons a finger can hit: at least ``theme.MIN_TARGET_MM`` on each side (rules in kit.kv)."""

from __future__ import annotations

from kivy.uix.button import Button


class BigButton(Button):
    """The kiosk's one button: high contrast, large type, a minimum physical size."""


class Tile(BigButton):
    """A menu tile: a service, bigger and wrapping its label."""
