"""What crosses the wire between kiosk and centre: the models, the request-signing text and
the error shape.

Pydantic only, no FastAPI: the kiosk imports this package and nothing else from ``central``.
Rules both sides share without a wire between them (NIK, card UIDs, config loading, WIB) live in
the leaf package ``common``.
"""
