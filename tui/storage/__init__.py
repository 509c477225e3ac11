"""Files the user owns or the app keeps: conversations (TOML), merging two writers, the
reply journal, settings.toml, the history index, exports, crash logs."""
