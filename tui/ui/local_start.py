"""Starting the local model behind the full-screen app.

The app opens at once; the model loads in a worker while a notice in the chat counts the
seconds. The client's transport holds any request sent meanwhile until the server is
ready, so a prompt typed during the load is answered as soon as it can be.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.chat.launch import LaunchPlan
from tui.chat.turn import missing_key_message
from tui.config import Config
from tui.local.model import (
    LocalModelError,
    local_available,
    model_name,
    prepare_model,
)
from tui.ui.render.inert import inert

if TYPE_CHECKING:
    from textual.app import App
    from textual.widgets import Static

    from tui.local.server import LocalServer
    from tui.local.transport import LocalTransport
    from tui.ui.services import Services


@dataclass
class LocalLaunch:
    """The local server an app is to start, and how its client reaches it."""

    config: Config  # the config as chosen, before the server exists
    server: LocalServer
    gate: LocalTransport
    reason: str = ""  # why the app is on the local profile, when the user did not ask


def local_launch(plan: LaunchPlan, config: Config) -> tuple[Config, LocalLaunch | None]:
    """The config the app runs with and, on the local profile, the server to start.
    With no key for the default Cline API and nothing chosen on the command line, that
    is the local model when it is installed. Raises ``LocalModelError``."""
    reason = ""
    chosen = any((plan.profile, plan.base_url, plan.model, plan.resume, plan.compare))
    if not chosen and not config.profile.starts_server and local_available(config):
        problem = missing_key_message(config)
        if problem:
            env = config.profile.api_key_env
            config = config.with_overrides(profile="local")
            reason = (
                f"No {env} set, so this chat runs offline on the local model "
                f"{model_name(config)}: it is small and often wrong. For the Cline API: "
                f"export {env}=your-key (get one at https://app.cline.bot), then start again."
            )
    if not config.profile.starts_server:
        return config, None
    from tui.local.server import served_config, server_for  # imports httpx
    from tui.local.transport import LocalTransport

    server = server_for(config)
    return served_config(config, server), LocalLaunch(config, server, LocalTransport(), reason)


async def start_local(
    app: App[Any],
    services: Services,
    launch: LocalLaunch,
    add_notice: Callable[[str], Awaitable[Static | None]],
) -> None:
    """Load the model and open the gate; any failure is shown and closes the gate.
    ``add_notice`` puts the loading notice in the chat showing (None: it has none)."""
    name = model_name(launch.config)
    lead = f"{launch.reason}\n" if launch.reason else ""
    notice: Static | None = None

    def show(text: str) -> None:
        if notice is not None:
            notice.update(inert(lead + text))

    def progress_from_thread(text: str) -> None:
        app.call_from_thread(services.say, f"{text}…", timeout=10)

    try:
        model = await asyncio.to_thread(prepare_model, launch.config, progress_from_thread)
        # On this (the main) thread: the server's parent-death signal is tied to it.
        launch.server.spawn(model)
        # By now the first screen is up; the notice goes into its chat.
        notice = await _notice(services, add_notice, f"{lead}Loading the local model {name}…")
        seconds = await launch.server.wait_ready_async(
            lambda elapsed: show(
                f"Loading the local model {name}… {elapsed:.0f} s "
                "(you can type now: a message sent early waits for it)"
            )
        )
    except LocalModelError as error:
        launch.gate.fail(f"the local model is not running: {error}")
        show(f"The local model could not start: {error}")
        services.say(str(error), title="Local model", severity="error", timeout=30)
        return
    launch.gate.open(model.context, model.chat_format)
    ready = f"Local model {name} ready (loaded in {seconds:.1f} s by llama.cpp, offline)."
    show(ready)
    if notice is None:
        services.say(ready)


async def _notice(
    services: Services, add_notice: Callable[[str], Awaitable[Static | None]], text: str
) -> Static | None:
    notice = await add_notice(text)
    if notice is None:
        services.say(text, timeout=10)
    return notice
