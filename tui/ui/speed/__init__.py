"""Measured fixes that keep frames fast: when the garbage collector runs, Textual's strip
cache cycles, keystrokes first."""
