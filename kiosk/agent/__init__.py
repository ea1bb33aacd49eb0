"""The health agent (``kiosk health ping``): a small process apart from the kiosk app, run once
a minute by ``anjungan-health.timer``, that tells the centre whether the app is alive even when
the app itself cannot (docs/install.md).

It must stay small and fast (peak RSS <= 40 MB, one ping <= 100 ms of CPU: bench/operations.py),
so nothing here imports pydantic or ``requests``: the configuration is read through a digest
(``settings``), reports are plain dictionaries held to the contract's ``AgentReport`` by the
tests, and the request goes out over ``http.client``, signed by ``kiosk.signing``.
"""
