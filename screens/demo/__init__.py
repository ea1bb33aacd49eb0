"""The demo room of the touchscreen app: a scripted tour that drives the app by touch and
photographs every screen (``kiosk app --tour``), and the demo panel's keys for a person
trying the simulated kiosk in a window. Used only when ``kiosk.mode = "demo"``."""
