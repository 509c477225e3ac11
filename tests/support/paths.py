"""Where things are, for tests in any folder."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]  # the checkout: tests/support/paths.py
DATA = PROJECT / "tests" / "data"
