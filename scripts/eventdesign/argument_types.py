"""Argument types the commands share (standard library only, so `--help` stays fast)."""

from __future__ import annotations

import argparse
import math

# Above this no rate, size or duration describes a real system, and products of such figures
# (bytes/s x seconds x copies) would overflow to infinity, which has no JSON form.
MAX_FIGURE = 1e12


def positive_number(text: str) -> float:
    """A finite number above 0: `nan` would compare false with every limit and fit anything."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be above 0")
    if value > MAX_FIGURE:
        raise argparse.ArgumentTypeError(f"'{text}' is above {MAX_FIGURE:,.0f}")
    return value
