"""Argument types the commands share (standard library only, so `--help` stays fast)."""

from __future__ import annotations

import argparse
import math


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
    return value
