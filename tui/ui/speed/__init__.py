"""Measured fixes that keep frames fast: when the garbage collector runs, Textual's strip
cache cycles, keystrokes first, the CSS parsed once per theme."""
