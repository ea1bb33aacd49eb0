"""The kiosk runtime: what `kiosk run` (and, later, the touchscreen app in its own process)
starts around the core — the health loop, the status file, signals and logging
(docs/runtime.md)."""
