"""Residents' personal data over time: the retention policy, the job that enforces it, and
residents' rights to a copy of their data and to erasure (UU PDP 2022)."""
