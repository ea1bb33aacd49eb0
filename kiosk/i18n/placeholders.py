"""Moved to ``common.i18n.placeholders``; kept so old imports work."""

from common.i18n.placeholders import PlaceholderError, placeholders

__all__ = ["PlaceholderError", "placeholders"]
