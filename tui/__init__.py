"""cline-tui: a full-screen terminal chat client for OpenAI-compatible endpoints."""

__version__ = "0.1.0"
