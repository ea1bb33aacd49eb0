"""Language: Bahasa Indonesia or English, for this session only."""

from __future__ import annotations

from screens.base import KioskScreen, load_rules


class LanguageScreen(KioskScreen):
    pass


load_rules(__name__)
