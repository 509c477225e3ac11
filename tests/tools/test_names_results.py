"""Offered tool names and results, from real SDK types: names the model accepts, results
turned into text with summaries, structured content and a cut."""

from __future__ import annotations

import base64

from mcp_types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from tui.tools.catalog import ToolCatalog, ToolInfo
from tui.tools.names import VALID_NAME, offered_names, safe_name
from tui.tools.results import cut, result_from_mcp


def test_names_that_fit_and_are_unique_are_kept() -> None:
    names = offered_names([("time", "get_current_time"), ("git", "git_status")])
    assert names == {("time", "get_current_time"): "get_current_time",
                     ("git", "git_status"): "git_status"}


def test_a_name_two_servers_share_is_offered_with_each_server() -> None:
    names = offered_names([("a", "search"), ("b", "search"), ("c", "a__search")])
    assert names[("a", "search")] != names[("b", "search")]
    assert names[("c", "a__search")] == "a__search"  # a fitting name keeps itself
    assert names[("a", "search")] == "a__search_2"
    assert names[("b", "search")] == "b__search"
    assert len(set(names.values())) == 3


def test_names_that_do_not_fit_are_made_safe_and_short() -> None:
    long = "x" * 80
    names = offered_names([("my server", "read file!"), ("s", long), ("s", long + "y")])
    assert names[("my server", "read file!")] == "my_server__read_file"
    assert all(VALID_NAME.match(name) for name in names.values())
    assert len({names[("s", long)], names[("s", long + "y")]}) == 2
    assert safe_name("日本語") == "tool"


def test_the_catalog_maps_offered_names_back_and_filters() -> None:
    catalog = ToolCatalog.of([
        ToolInfo("a", "search", "A's search", {"type": "object", "properties": {}}),
        ToolInfo("b", "search", "B's search", {}),
        ToolInfo("b", "fetch", "", {"type": "object"}),
    ])
    found = catalog.find("b__search")
    assert found is not None and found.server == "b" and found.name == "search"
    entry = found.request_entry()
    assert entry == {"type": "function", "function": {
        "name": "b__search", "description": "B's search",
        "parameters": {"type": "object", "properties": {}}}}
    only_b = catalog.only(["b"])
    assert [t.offered for t in only_b.tools] == ["search", "fetch"]  # unique again
    assert [t.offered for t in catalog.only(["a.search", "fetch"]).tools] == ["search", "fetch"]
    assert catalog.unknown(["b", "nothing"]) == ["nothing"]


def test_text_parts_are_joined_and_binary_parts_summarised() -> None:
    png = base64.b64encode(b"\x89PNG" + b"\0" * 96).decode()
    result = CallToolResult(content=[
        TextContent(text="first"),
        ImageContent(data=png, mime_type="image/png"),
        AudioContent(data=base64.b64encode(b"RIFF1234").decode(), mime_type="audio/wav"),
        ResourceLink(uri="file:///tmp/a.txt", name="a.txt", mime_type="text/plain", size=12),
        EmbeddedResource(resource=TextResourceContents(
            uri="mem://note", mime_type="text/markdown", text="# note")),
        EmbeddedResource(resource=BlobResourceContents(
            uri="mem://blob", mime_type="application/zip", blob=png)),
        TextContent(text="last"),
    ])
    converted = result_from_mcp(result, limit=10_000, duration_ms=5)
    assert converted.text.splitlines() == [
        "first",
        "[image: image/png, 100 bytes]",
        "[audio: audio/wav, 8 bytes]",
        "[resource link: text/plain, 12 bytes, file:///tmp/a.txt], name a.txt",
        "[embedded resource: text/markdown, 6 bytes, mem://note]",
        "# note",
        "[embedded resource: application/zip, 100 bytes, mem://blob]",
        "last",
    ]
    assert [p.kind for p in converted.parts] == [
        "text", "image", "audio", "resource_link", "resource", "resource", "text"]
    assert not converted.error and converted.duration_ms == 5


def test_structured_content_is_sent_as_json_when_no_text_carries_it() -> None:
    only_structured = CallToolResult(content=[], structured_content={"temp": 21.5, "ok": True})
    converted = result_from_mcp(only_structured, limit=1000)
    assert converted.text == '{\n  "temp": 21.5,\n  "ok": true\n}'
    both = CallToolResult(content=[TextContent(text='{"temp": 21.5}')],
                          structured_content={"temp": 21.5})
    assert result_from_mcp(both, limit=1000).text == '{"temp": 21.5}'


def test_is_error_is_kept_and_an_empty_result_says_so() -> None:
    failed = result_from_mcp(CallToolResult(content=[TextContent(text="no")], is_error=True), 100)
    assert failed.error and failed.text == "no"
    empty = result_from_mcp(CallToolResult(content=[]), 100)
    assert empty.text == "(the tool returned nothing)" and not empty.error


def test_a_long_result_is_cut_with_a_note_of_what_was_left_out() -> None:
    assert cut("abc", 3) == "abc"
    assert cut("abcdef", 4) == "abcd\n[result truncated: 2 of 6 characters left out]"
    converted = result_from_mcp(CallToolResult(content=[TextContent(text="x" * 50_000)]), 20_000)
    assert converted.truncated and converted.full_length == 50_000
    assert converted.text.startswith("x" * 20_000 + "\n[result truncated: 30,000 of 50,000")
