"""Starting the full-screen app (the only place the command line imports Textual)."""

from __future__ import annotations

import gc
import os
from dataclasses import replace
from typing import TYPE_CHECKING

from tui.chat.launch import LaunchPlan
from tui.cli.output import ExitCode, local_exit, say
from tui.cli.piped import PipedInputError, take_piped_input
from tui.config import Config
from tui.model.text import one_line
from tui.storage.journal import recover_into_store
from tui.storage.settings import Settings
from tui.storage.store import ConversationStore, StoreError

if TYPE_CHECKING:
    from tui.model.conversation import Conversation

FRAME_RATE = "120"  # screen updates a second at most (Textual's default is 60)


def use_frame_rate() -> None:
    """Set Textual's frame rate; before Textual is imported (it reads ``TEXTUAL_FPS``
    then). A frame that ends late makes Textual's update timer skip to the slot after
    next: at 60 a keystroke waited up to 33 ms for its frame while a reply streamed,
    typing p95 40-45 ms; at 120 it is 15-27 ms (benchmarks/typing_latency.py). Frames
    are still only drawn when something changed. A ``TEXTUAL_FPS`` of the user's wins."""
    os.environ.setdefault("TEXTUAL_FPS", FRAME_RATE)


def run_app(plan: LaunchPlan, config: Config) -> int:
    use_frame_rate()
    # No garbage collections during start-up (they cost ~50 ms before the first frame):
    # once the first screen is up the app freezes the heap and turns the collector on.
    gc.disable()
    try:
        return _run_app(plan, config)
    finally:
        gc.enable()


def _run_app(plan: LaunchPlan, config: Config) -> int:
    from tui.local.model import LocalModelError
    from tui.ui.local_start import local_launch

    if plan.theme:
        from tui.ui.themes import unknown_theme_message

        problem = unknown_theme_message(plan.theme, config.paths.themes)
        if problem:
            say(problem, fold=False)
            return ExitCode.USAGE
    try:
        piped = take_piped_input()  # git diff | cline-tui
    except PipedInputError as error:
        say(str(error), fold=False)
        return ExitCode.USAGE
    if piped is not None:
        plan = replace(plan, attachments=(piped,))
    try:
        config, local = local_launch(plan, config)  # the local model, when that is the profile
    except LocalModelError as error:
        say(one_line(str(error)))
        return local_exit(error)
    store = ConversationStore(config.paths.conversations)
    # Replies a killed process left in its journal, back into their conversations
    # before one of them is opened.
    recovered = recover_into_store(store.folder)
    settings = Settings(config.paths.config_dir / "settings.toml")
    try:
        config, conversation = opening(plan, config, store, settings)
    except StoreError as error:
        say(one_line(str(error)))
        return ExitCode.USAGE
    if plan.compare:
        conversation = None  # make_app opens a new comparison of plan.compare

    from tui.ui.app import make_app

    app = make_app(
        config,
        store=store,
        settings=settings,
        conversation=conversation,
        compare_models=plan.compare,
        streaming=plan.streaming,
        local=local,
        theme=plan.theme,
        notices=recovered,
        attachments=plan.attachments,
    )
    try:
        app.run()
    finally:
        if local is not None:
            local.server.stop()  # also after a crash
    if app.crashed:
        return ExitCode.CRASHED
    if app.stop_signal is not None:
        # As a shell reports a program a signal ended: SIGTERM 143, SIGHUP 129.
        return 128 + app.stop_signal
    return app.return_code or ExitCode.OK


def opening(plan: LaunchPlan, config: Config, store: ConversationStore,
            settings: Settings) -> tuple[Config, Conversation | None]:
    """The config the app starts with and the conversation it opens (None: a new chat).
    settings.toml's temperature and the model last picked in the app are the defaults
    unless the command line chose them, whether or not a conversation is reopened: a
    reopened one keeps its own model, and F12 shows the default new chats get (it once
    showed config.toml's after ``--resume``). Raises StoreError for a conversation that
    cannot be read."""
    if plan.temperature is None and settings.temperature is not None:
        config = replace(config, temperature=settings.temperature)
    if not plan.model:
        remembered = settings.model_for(config.profile.name)
        if remembered:
            config = replace(config, model=remembered)
    conversation = None
    if plan.resume:
        conversation = store.load(plan.resume)
        if plan.model:
            conversation.model = config.model
    return config, conversation
