"""The technician's tools: enrol a kiosk with the centre and write its configuration."""
