"""What the full-screen app is to start with, as the command line chose it. Built from
the parsed arguments by ``tui.cli.launch`` (argparse stays in ``tui.cli``); the app's
start-up code reads this."""

from __future__ import annotations

from dataclasses import dataclass

from tui.model.attachment import Attachment


@dataclass(frozen=True)
class LaunchPlan:
    """The start-up choices of ``cline-tui`` with no command (``run_app`` reads it; the
    ui's ``local_launch`` too)."""

    # The endpoint and model as given on the command line (None: not given). They are
    # already applied to the config; what matters here is whether they were chosen.
    profile: str | None = None
    base_url: str | None = None
    model: str | None = None
    temperature: float | None = None
    # Which screen: a saved conversation to reopen, or a new comparison of these models
    # (2 to 4), or else a new chat.
    resume: str | None = None
    compare: tuple[str, ...] = ()
    theme: str | None = None  # --theme, for this run
    streaming: bool = True  # --no-stream turns it off
    # Attached to the first prompt: what was piped in (``git diff | cline-tui``).
    attachments: tuple[Attachment, ...] = ()
