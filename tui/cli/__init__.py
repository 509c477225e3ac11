"""The command line: parsing arguments into a plan, and the commands (ask, models, history,
show, the full-screen app). Imports Textual only through tui.ui."""
