"""The heartbeat pipeline: the ASGI fast path, the signature thread, the group-commit
writer and its bulk inserts, WAL checkpoints beside it (docs/central.md)."""
