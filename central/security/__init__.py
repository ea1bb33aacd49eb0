"""Who is calling and how often: signed kiosks, resident sessions and grants, operators,
kiosk credentials, throttles, body limits, idempotency and the audit trail."""
