"""The demo room: `kiosk demo`, scripted resident journeys and the photos the demo's
simulated camera shows. Tooling for showing and rehearsing the kiosk, kept apart from the
kiosk's core; the simulated devices themselves live in ``kiosk.simulated``."""
