"""HTTP routes under /v1, one module per audience (enrollment, kiosk, residents, operators)."""
