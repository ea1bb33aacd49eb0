"""The session's name for ``kiosk.i18n.bilingual`` (kept while the session modules import it
from here; new code imports it from ``kiosk.i18n``)."""

from kiosk.i18n.bilingual import bilingual

__all__ = ["bilingual"]
