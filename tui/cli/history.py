"""``cline-tui history`` and ``cline-tui show``: saved conversations on the command line.

``history`` reads the index (updated incrementally first, so a warm index parses no
file); ``show`` prints one conversation as Markdown, JSON or TOML. Neither imports
Textual."""

from __future__ import annotations

import argparse
import json
import sys

from tui.cli.output import ExitCode, say
from tui.config import Config
from tui.format import format_cost, format_when
from tui.model.text import one_line
from tui.storage.history_index import Entry, HistoryIndex
from tui.storage.history_query import split_snippet
from tui.storage.store import ConversationStore, StoreError


def history_index(config: Config) -> HistoryIndex:
    return HistoryIndex(config.paths.conversations, config.paths.cache_dir)


def run_history(args: argparse.Namespace, config: Config) -> int:
    if args.limit is not None and args.limit < 0:
        say("--limit must be 0 or more")
        return ExitCode.USAGE
    index = history_index(config)
    if index.needs_build() and sys.stderr.isatty():
        say("indexing saved conversations (first run)…")
    index.refresh()
    query = " ".join(args.query).strip()
    if query:
        entries = index.search(query, reasoning=args.reasoning, limit=args.limit)
    else:
        entries = index.entries(limit=args.limit)
    if args.json:
        print(json.dumps([entry_json(e) for e in entries], indent=2, ensure_ascii=True))
        return ExitCode.OK
    for entry in entries:
        print(entry_line(entry))
        if entry.snippet:
            print("    " + one_line("".join(text for text, _ in split_snippet(entry.snippet))))
    if not entries and query:
        say(f"nothing matches '{query}'")
    return ExitCode.OK


def entry_line(e: Entry) -> str:
    """``ID  2026-11-25 19:27  12 msgs  $0.0123  model  title`` (control-free)."""
    when = format_when(e.updated)
    if not e.readable:
        return one_line(f"{e.id}  {when}  unreadable: {e.error}")
    cost = format_cost(e.cost)
    models = ("compare: " if e.kind == "compare" else "") + ", ".join(e.models) or "-"
    title = one_line(e.title, 1000) or "(untitled)"
    return f"{e.id}  {when}  {e.messages:>3} msgs  {cost:>8}  {one_line(models)}  {title}"


def entry_json(e: Entry) -> dict[str, object]:
    data: dict[str, object] = {"id": e.id, "updated": e.updated.isoformat()}
    if not e.readable:
        data["error"] = e.error
        return data
    data.update(title=e.title, kind=e.kind, models=list(e.models), messages=e.messages,
                cost=e.cost)
    if e.snippet:
        data["snippet"] = "".join(text for text, _ in split_snippet(e.snippet))
    return data


def run_show(args: argparse.Namespace, config: Config) -> int:
    from tui.storage.export import export

    if args.tree and args.format not in (None, "markdown"):
        say("--tree draws the tree as text; --format json or toml already holds every "
            "branch: give one or the other")
        return ExitCode.USAGE
    store = ConversationStore(config.paths.conversations)
    conversation_id = resolve_id(store, args.id)
    if conversation_id is None:
        return ExitCode.USAGE
    try:
        conversation = store.load(conversation_id)
    except StoreError as error:
        say(str(error))
        return ExitCode.FAILED
    for problem in conversation.problems:  # hand-edited values kept as written, not used
        say(f"{conversation_id}: {problem}")
    if args.tree:
        from tui.model.tree_outline import outline

        sys.stdout.write("\n".join(outline(conversation)) + "\n")
        return ExitCode.OK
    fmt = args.format or "markdown"
    sys.stdout.write(export(conversation, fmt, args.layout))
    if fmt == "markdown":
        from tui.storage.export import other_branches

        others = other_branches(conversation)
        if others:
            say(f"{others} other branch{'es' if others != 1 else ''} not shown: "
                f"cline-tui show {conversation_id} --tree")
    return ExitCode.OK


def resolve_id(store: ConversationStore, given: str) -> str | None:
    """The id ``given`` names: itself, or the one saved id it is the start of; None after
    saying why not."""
    try:
        return store.resolve(given)
    except StoreError as error:
        say(str(error))
        return None


def last_id(config: Config) -> str | None:
    """The most recently updated readable conversation (the top of ``history``); None
    after saying there is none."""
    index = history_index(config)
    if index.needs_build() and sys.stderr.isatty():
        say("indexing saved conversations (first run)…")
    try:
        index.refresh()
    except StoreError as error:
        say(str(error))
        return None
    limit: int | None = 20
    while True:
        entries = index.entries(limit=limit)
        found = next((e.id for e in entries if e.readable), None)
        if found is not None or limit is None or len(entries) < limit:
            break
        limit = None  # 20 unreadable files in a row: look at them all
    if found is None:
        say(f"no saved conversation to continue in {config.paths.conversations}")
    return found


def pick_id(config: Config, given: str | None, last: bool) -> str | None:
    """The conversation ``--resume [ID]`` / ``ask --continue ID`` / ``-c`` chose: ``given``
    (an id or its unique start), or with ``last`` (or an empty ``given``) the most recently
    updated one. None after saying why not (the caller exits 2)."""
    if given and last:
        say(f"give an id ('{given}') or --continue-last, not both")
        return None
    if last or not given:
        return last_id(config)
    return resolve_id(ConversationStore(config.paths.conversations), given)
