"""What `kiosk-central`'s commands stand on: database URLs, office hints, backups, and
running `kiosk-central serve` as a process for the demo, tests and benches."""
