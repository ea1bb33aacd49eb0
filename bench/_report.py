"""The benches' output lines, apart from bench/_central.py's server plumbing so that a bench
process measuring its own memory (bench/_ui_app.py) need not import the centre's code."""

from __future__ import annotations


def report(name: str, value: float, unit: str, op: str, target: float) -> None:
    """One figure in the project's bench line format; ``ok`` when the target is met."""
    met = value >= target if op == ">=" else value <= target
    shown = f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    print(f"bench: {name} = {shown} {unit} (target {op} {target:g}) {'ok' if met else 'short'}")


def info(text: str) -> None:
    """Context for a figure (set-up, CPU split, error counts): indented, never a bench line."""
    print(f"  {text}", flush=True)
