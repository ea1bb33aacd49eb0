"""Moved to ``common.i18n.check`` (the console's catalog is checked the same way); kept so old
imports work."""

from common.i18n.check import Problem, add_missing, check, check_catalog

__all__ = ["Problem", "add_missing", "check", "check_catalog"]
