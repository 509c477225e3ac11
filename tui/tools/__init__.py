"""Tools the model may call: MCP servers started from config.toml, their tools offered
to the model under safe names, calls run with a timeout, results turned into the text
sent back. No Textual here: ``cline-tui ask`` and the full-screen chat both use it."""
