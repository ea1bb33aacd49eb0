"""Wire models and shared pure rules used by both the kiosk and the centre (pydantic only, no FastAPI)."""
