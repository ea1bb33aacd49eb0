"""Journey scripts shipped with the kiosk (docs/journeys.md)."""
