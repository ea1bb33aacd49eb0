"""Two languages for everything people read: Bahasa Indonesia (default) and English.

The gettext machinery both rooms use: the PO reader and ``.mo`` compiler (``po``), translators
and catalog sets (``translator``), the source scan (``extract``) and the catalog check
(``check``). Each room keeps its own catalogs and markers; see docs/i18n.md.
"""
