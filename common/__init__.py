"""Rules every room shares: the leaf of the import graph.

``kiosk``, ``drivers``, ``screens``, ``provisioning`` and ``central`` may all import this package;
it imports none of them (``tests/test_architecture.py``). What lives here is what two rooms must
agree on without one depending on the other: the layered config loader, NIK rules, the card UID
form, the event bus, and Western Indonesian time. What crosses the wire between kiosk and centre
stays in ``central.contract``.
"""
