"""Turning untrusted text into what is drawn: the Markdown view and its feed and parser,
inert text, long messages in parts."""
