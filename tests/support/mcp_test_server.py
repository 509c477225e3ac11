"""A small MCP server for the tool tests, written with the SDK's ``MCPServer``.

    python -m tests.support.mcp_test_server [--http PORT] [--pid-file PATH]

Over stdio by default, or streamable HTTP on 127.0.0.1:PORT (path ``/mcp``). With
``--pid-file`` it writes its pid there once it runs (the no-orphans test finds it so);
with ``--linger`` it does not exit when its stdin closes.
Tools: echo, env (the environment it sees, as JSON), fail (an error result), image (a
PNG), slow (sleeps), crash (the process exits mid-call),
exit_soon (it exits just after answering), big (100 KB of text), markup
(text with Rich markup and escape sequences).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import threading
import time
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image

# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
BIG = ("0123456789abcdef" * 64 + "\n") * 98  # 100,450 characters

server = MCPServer("cline-tui-test")


@server.tool(description="Say the text back.")
def echo(text: str) -> str:
    return text


@server.tool(description="The environment variables this server sees, as JSON.")
def env() -> str:
    return json.dumps(dict(os.environ))


@server.tool(description="Always fails.")
def fail(why: str = "it went wrong") -> str:
    raise ToolError(f"failed on purpose: {why}")


@server.tool(description="A one-pixel PNG.")
def image() -> Image:
    return Image(data=PNG, format="png")


@server.tool(description="Sleep, then say so.")
async def slow(seconds: float = 30.0) -> str:
    await asyncio.sleep(seconds)
    return f"slept {seconds} s"


@server.tool(description="The server process exits in the middle of the call.")
def crash() -> str:
    sys.stderr.write("crashing now, on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool(description="Answer, then the process exits a moment later.")
def exit_soon() -> str:
    def leave() -> None:
        sys.stderr.write("leaving while idle\n")
        sys.stderr.flush()
        os._exit(4)

    threading.Timer(0.2, leave).start()
    return "bye"


@server.tool(description="100 KB of text.")
def big() -> str:
    return BIG


@server.tool(description="[bold red]Markup[/] and \x1b]52;c;aGk=\x07 escapes.")
def markup() -> str:
    return "[@click=app.quit]quit[/] \x1b[31mred\x1b[0m"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", type=int, default=None)
    parser.add_argument("--pid-file", default=None)
    # Stay alive after stdin closes, as a server with work of its own in flight may: then
    # only the parent-death signal ends it when the app is killed.
    parser.add_argument("--linger", action="store_true")
    args = parser.parse_args()
    if args.pid_file:
        Path(args.pid_file).write_text(str(os.getpid()))
    if args.http is not None:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    else:
        server.run()
    if args.linger:
        time.sleep(600)


if __name__ == "__main__":
    main()
