"""Starting the full-screen app (the only place the command line imports Textual)."""

from __future__ import annotations

import argparse
import sys

from tui.config import Config
from tui.settings import Settings
from tui.store import ConversationStore, StoreError
from tui.text import one_line


def run_app(args: argparse.Namespace, config: Config) -> int:
    if args.compare:
        print("cline-tui: --compare is not built yet", file=sys.stderr)
        return 2
    store = ConversationStore(config.paths.conversations)
    settings = Settings(config.paths.config_dir / "settings.toml")
    conversation = None
    if args.resume:
        try:
            conversation = store.load(args.resume)
        except StoreError as error:
            print(f"cline-tui: {one_line(str(error))}", file=sys.stderr)
            return 2
        if args.model:
            conversation.model = config.model
    elif not args.model:
        # The model last picked in the app, unless -m or config.toml chose one.
        remembered = settings.model_for(config.profile.name)
        if remembered:
            from dataclasses import replace

            config = replace(config, model=remembered)

    from tui.ui.app import make_app

    app = make_app(
        config,
        store=store,
        settings=settings,
        conversation=conversation,
        streaming=not args.no_stream,
    )
    app.run()
    return 0
