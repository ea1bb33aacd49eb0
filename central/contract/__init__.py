"""Wire models and shared pure rules used by both the kiosk and the centre.

Pydantic only, no FastAPI: the kiosk imports this package and nothing else from ``central``.
The models themselves live in :mod:`central.contract.models`.
"""
