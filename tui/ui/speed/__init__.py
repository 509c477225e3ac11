"""Measured fixes that keep frames fast: when the garbage collector runs, Textual's strip
cache cycles, keystrokes first, the CSS parsed once per theme, a layout's map of every
widget kept for the lookups that follow it."""
