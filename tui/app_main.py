"""Starting the full-screen app (the only place the command line imports Textual)."""

from __future__ import annotations

import argparse
import sys

from tui.config import Config


def run_app(args: argparse.Namespace, config: Config) -> int:
    print("cline-tui: the full-screen chat is not built yet; use 'cline-tui ask'", file=sys.stderr)
    return 2
