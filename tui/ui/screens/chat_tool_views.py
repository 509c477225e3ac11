"""How a chat's tool turn shows in its transcript: a progress line for each call as it
starts, its result folded under it when it ends (``tui/ui/screens/chat_tools.py`` runs
the turn). Apart so that the tool loop is imported when a turn first uses tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.chat.tool_loop import ToolLoopListener, tool_message
from tui.ui.widgets.tool_views import ToolResultView

if TYPE_CHECKING:
    from tui.model.conversation import Message, ToolCall
    from tui.tools.catalog import ToolInfo
    from tui.tools.results import ToolResult
    from tui.ui.widgets.transcript import Transcript

STOPPED = ("Stopped at a tool call: this reply's calls were not run (the model is told so "
           "with the next prompt).")


class TranscriptTools(ToolLoopListener):
    """The loop's calls in the transcript: a progress line when one starts, its result
    folded under it when it ends."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.views: dict[str, ToolResultView] = {}
        self.limit: int | None = None

    def _view(self, call: ToolCall) -> ToolResultView:
        view = self.views.get(call.id)
        if view is None:
            view = self.views[call.id] = ToolResultView(call.id, call.name)
            self.transcript.mount(view)
            self.transcript.anchor()
        return view

    def call_started(self, call: ToolCall, tool: ToolInfo | None) -> None:
        self._view(call)

    def call_finished(self, call: ToolCall, result: ToolResult) -> None:
        self._view(call).finish(tool_message(call, result))

    def round_limit(self, rounds: int) -> None:
        self.limit = rounds

    def settle(self, messages: list[Message]) -> None:
        """The turn is over: a call still shown running (cancelled) shows its answer."""
        answers = {m.tool_call_id: m for m in messages if m.role == "tool"}
        for call_id, view in self.views.items():
            if view.running and call_id in answers:
                view.finish(answers[call_id])
