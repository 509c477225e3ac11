"""``[budget]`` limits in ``ask``: a send that would pass one is refused with the figures
(exit 2, nothing sent or saved) unless ``--over-budget``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.support.cli_support import cli
from tests.support.loopback import LoopbackServer, Reply
from tests.support.streams import read
from tui.api.catalog import Catalog
from tui.api.client import ChatClient
from tui.budget_config import Budget
from tui.chat.budget import overruns, start_of_today
from tui.config import Paths, load_config

PLAIN = "01-cline-plain-text.sse"  # its usage says cost 0.0031


def budget(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f"[budget]\n{text}\n")


def saved_files(home: Path) -> set[str]:
    return {p.name for p in (home / "conversations").glob("*.toml")}


def test_the_daily_limit_counts_every_conversation_of_today(
    isolated_home: Path, server: LoopbackServer
) -> None:
    budget(isolated_home, "daily = 0.005")
    for _ in range(2):  # 0.0031 each: the second starts under the limit
        server.enqueue(Reply.sse(read(PLAIN)))
        assert cli(isolated_home, "ask", "hi", server=server).code == 0
    files = saved_files(isolated_home)
    run = cli(isolated_home, "ask", "once more", server=server)
    assert run.code == 2
    assert "daily budget of $0.0050 would be passed: $0.0062 spent" in run.stderr
    assert "--over-budget" in run.stderr
    assert len(server.chat_requests()) == 2  # nothing sent
    assert saved_files(isolated_home) == files  # nothing saved
    server.enqueue(Reply.sse(read(PLAIN)))
    assert cli(isolated_home, "ask", "--over-budget", "once more", server=server).code == 0
    assert len(server.chat_requests()) == 3


def test_the_conversation_limit_stops_a_continued_conversation(
    isolated_home: Path, server: LoopbackServer
) -> None:
    budget(isolated_home, "per_conversation = 0.003")
    server.enqueue(Reply.sse(read(PLAIN)))
    first = cli(isolated_home, "ask", "hi", server=server)
    assert first.code == 0
    run = cli(isolated_home, "ask", "--continue", first.saved_id(), "and then?", server=server)
    assert run.code == 2
    assert "per-conversation budget of $0.0030 would be passed: $0.0031 spent" in run.stderr
    server.enqueue(Reply.sse(read(PLAIN)))
    assert cli(isolated_home, "ask", "hi again", server=server).code == 0  # a new one is fine


def test_the_prompt_price_counts_before_anything_is_spent(
    isolated_home: Path, server: LoopbackServer
) -> None:
    """A cached catalog with the model's price: 4,000 characters are about 1,000 tokens,
    at $0.00001 a token $0.01, over a $0.005 limit."""
    budget(isolated_home, "daily = 0.005")
    cache = isolated_home / "cache"
    cache.mkdir()
    config = load_config(Paths(isolated_home, isolated_home, cache),
                         environ={"CLINE_BASE_URL": server.url})
    catalog = Catalog(ChatClient(config.profile), cache)
    catalog.cache_file.write_text(json.dumps({"fetched": 0, "models": [
        {"id": config.model, "prompt_price": 0.00001}]}))
    run = cli(isolated_home, "ask", "x" * 4000, server=server)
    assert run.code == 2
    assert "$0 spent + about $0.0100 for this request's prompt" in run.stderr
    assert server.chat_requests() == []


def test_overruns_adds_the_next_prompt_to_what_is_spent() -> None:
    limits = Budget(daily=1.0, per_conversation=0.5)
    assert overruns(limits, today=0.9, conversation=0.1, next_cost=0.05) == []
    passed = overruns(limits, today=0.9, conversation=0.1, next_cost=0.2)
    assert [o.name for o in passed] == ["daily"]
    both = overruns(limits, today=1.0, conversation=0.5, next_cost=None)  # reached already
    assert [o.name for o in both] == ["daily", "per-conversation"]
    assert overruns(Budget(), today=99.0, conversation=99.0, next_cost=99.0) == []


def test_today_starts_at_local_midnight() -> None:
    start = start_of_today(datetime(2026, 12, 2, 15, 30).astimezone())
    assert (start.hour, start.minute, start.second) == (0, 0, 0)
    assert start.date() == datetime(2026, 12, 2).date()
