"""Running the model's tool calls: arguments checked, the right server called with its
timeout, whatever goes wrong turned into an error result the model can read."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from tui.model.conversation import ToolCall
from tui.model.text import one_line
from tui.tools.catalog import ToolCatalog, ToolInfo
from tui.tools.results import ToolResult, error_result, result_from_mcp
from tui.tools.servers import ToolServerError, ToolServers


@dataclass(frozen=True)
class ToolRunner:
    """Runs calls against ``servers`` for the tools of ``catalog`` (what the model was
    offered this turn)."""

    servers: ToolServers
    catalog: ToolCatalog
    result_limit: int = 20_000

    def tool_for(self, call: ToolCall) -> ToolInfo | None:
        return self.catalog.find(call.name)

    async def run(self, call: ToolCall) -> ToolResult:
        """The result of ``call``; never raises but for cancellation."""
        started = time.monotonic()
        tool = self.tool_for(call)
        if tool is None:
            return error_result(f"No tool named {call.name!r} was offered.")
        try:
            arguments = json.loads(call.arguments) if call.arguments.strip() else {}
        except (ValueError, RecursionError):
            shown = one_line(call.arguments, 200)
            return error_result(f"The arguments are not valid JSON: {shown}")
        if not isinstance(arguments, dict):
            return error_result("The arguments must be a JSON object, not "
                                f"{type(arguments).__name__}.")
        server = self.servers.server(tool.server)
        if server is None:
            return error_result(f"Server {tool.server} is not running.")
        timeout = server.config.timeout
        try:
            result = await server.call(tool.name, arguments, timeout)
        except TimeoutError:
            return error_result(f"The tool did not answer within {timeout:g} s.",
                                _ms(started))
        except ToolServerError as error:
            return error_result(str(error), _ms(started))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the SDK rejected the result (schema), or worse
            return error_result(f"The call failed: {one_line(str(error), 300)}", _ms(started))
        return result_from_mcp(result, self.result_limit, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
