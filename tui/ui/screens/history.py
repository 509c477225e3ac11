"""The conversations screen: every saved conversation, newest first, filtered by title as
you type or searched in full text, with a preview; open, rename, delete (to the trash,
undoable) and export.

The list comes from the index (``tui.storage.history_index``), refreshed in a thread worker when
the screen opens and whenever the folder changes; the preview and every change read or
write the TOML file itself. The screen dismisses with a ``HistoryResult`` that says what
to open and what it renamed or deleted, so the chat screen can follow."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, ProgressBar, Static
from textual.worker import get_current_worker

from tui.model.text import one_line
from tui.storage.export import export_to_file
from tui.storage.history_index import Entry, HistoryIndex
from tui.storage.store import ConversationStore, StoreError
from tui.ui.modals.history_dialogs import ConfirmDelete, RenameDialog
from tui.ui.render.inert import inert
from tui.ui.services import AppScreen, HistoryResult
from tui.ui.widgets.conversation_list import ConversationList
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.history_preview import preview_content, query_pattern

Mode = Literal["title", "text", "reasoning"]
MODES: tuple[Mode, ...] = ("title", "text", "reasoning")
_MODE_LABEL = {"title": "Title", "text": "Text", "reasoning": "Text + reasoning"}
_PLACEHOLDER = {
    "title": "Filter by title…  (Ctrl+F: search all text)",
    "text": "Search every message…  (Ctrl+F: include reasoning)",
    "reasoning": "Search messages and reasoning…  (Ctrl+F: titles only)",
}
NARROW = 72  # below this many columns the preview gives way to the list (F3 swaps them)
POLL_SECONDS = 1.0
SEARCH_LIMIT = 500


__all__ = ["HistoryResult", "HistoryScreen"]


class HistoryScreen(AppScreen[HistoryResult]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="history.back"),
        Binding("ctrl+f", "cycle_mode", "Title/Text", id="history.mode"),
        Binding("f3", "swap_preview", "Preview", id="history.preview"),
        Binding("f2", "rename", "Rename", id="history.rename"),
        Binding("f8", "delete", "Delete", id="history.delete"),
        Binding("ctrl+z", "undo", "Undo delete", id="history.undo"),
        Binding("f5", "export('markdown')", "Export .md", id="history.export_md"),
        Binding("f6", "export('json')", "Export .json", id="history.export_json"),
        # The filter box keeps the focus; these move through the list.
        Binding("up", "list('move', -1)", "Up", show=False, id="history.up"),
        Binding("down", "list('move', 1)", "Down", show=False, id="history.down"),
        Binding("pageup", "list('page', -1)", "Page up", show=False, id="history.pageup"),
        Binding("pagedown", "list('page', 1)", "Page down", show=False, id="history.pagedown"),
    ]
    is_history = True

    def __init__(self, store: ConversationStore, index: HistoryIndex, export_dir: Path,
                 current_id: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.index = index
        self.export_dir = export_dir
        self.current_id = current_id
        self.mode: Mode = "title"
        self.all_entries: list[Entry] = []
        self.result = HistoryResult()
        self._undo: list[tuple[Path, str]] = []  # (trashed file, conversation id)
        self._folder_stamp: int | None = None
        self._loaded = False
        self._focus_id: str | None = None  # where the cursor goes on the next reload

    def compose(self) -> ComposeResult:
        yield Static(id="history-title", classes="title-bar", markup=False)
        with Horizontal(id="history-search"):
            yield Input(placeholder=_PLACEHOLDER["title"], id="history-filter")
            yield Static(_MODE_LABEL["title"], id="history-mode", markup=False)
        with Horizontal(id="history-building"):
            yield Static("Indexing saved conversations… ", markup=False)
            yield ProgressBar(id="history-progress", show_eta=False)
        with Horizontal(id="history-main"):
            yield ConversationList(id="history-list")
            with VerticalScroll(id="history-preview", can_focus=False):
                yield Static(id="preview-body", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_title()
        self.query_one("#history-filter", Input).focus()
        self.reload()
        self.set_interval(POLL_SECONDS, self._poll_folder)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.remove_class("-preview-only")
            self._show_placeholder()
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "swap_preview":
            return self.has_class("-narrow")  # wide: list and preview are both shown
        return True

    def action_swap_preview(self) -> None:
        """Narrow: show the preview in the list's place, or the list again. The filter
        keeps the focus and Up/Down still move through the list."""
        self.toggle_class("-preview-only")

    @property
    def entry_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    @property
    def query_text(self) -> str:
        return self.query_one("#history-filter", Input).value.strip()

    # --- loading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="history-load")
    def reload(self) -> None:
        """Bring the index up to date (a progress bar while it is built from nothing),
        then show the list with the current filter."""
        worker = get_current_worker()
        self._folder_stamp = _folder_stamp(self.store.folder)
        building = self.index.needs_build()
        if building:
            self.app.call_from_thread(self._building, True)
        try:
            self.index.refresh(progress=self._progress if building else None)
            entries = self.index.entries()
        except (OSError, StoreError) as error:
            self.app.call_from_thread(self._say, f"Could not read the conversations: {error}")
            entries = []
        finally:
            if building:
                self.app.call_from_thread(self._building, False)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._loaded_entries, entries)

    def _progress(self, done: int, total: int) -> None:
        bar = self.query_one("#history-progress", ProgressBar)
        self.app.call_from_thread(bar.update, total=total, progress=done)

    def _building(self, on: bool) -> None:
        self.query_one("#history-building").set_class(on, "-building")

    def _loaded_entries(self, entries: list[Entry]) -> None:
        self.all_entries = entries
        self._loaded = True
        self._show_title()
        self.apply_query()

    def _poll_folder(self) -> None:
        """Another instance saved, or a file was removed: refresh the list."""
        stamp = _folder_stamp(self.store.folder)
        if self._loaded and stamp != self._folder_stamp:
            self.reload()

    def _show_title(self) -> None:
        total = sum(1 for e in self.all_entries if e.readable)
        bad = len(self.all_entries) - total
        text = f"Conversations · {total:,}" if self._loaded else "Conversations · loading…"
        if bad:
            text += f" · {bad} unreadable"
        self.query_one("#history-title", Static).update(inert(text))

    # --- filter and search ------------------------------------------------------------

    @on(Input.Changed, "#history-filter")
    def _filter_changed(self) -> None:
        self.apply_query()

    def apply_query(self) -> None:
        query = self.query_text
        keep = self.entry_list.current.id if self.entry_list.current else self.current_id
        keep, self._focus_id = self._focus_id or keep, None
        if not query:
            self.entry_list.set_entries(self.all_entries, keep)
        elif self.mode == "title":
            words = query.casefold().split()
            found = [e for e in self.all_entries
                     if all(w in (e.title or e.id).casefold() for w in words)]
            self.entry_list.set_entries(found, keep)
        else:
            self._search(query, self.mode == "reasoning", keep)
        self._show_preview()

    @work(thread=True, exclusive=True, group="history-search")
    def _search(self, query: str, reasoning: bool, keep: str | None) -> None:
        worker = get_current_worker()
        try:
            hits = self.index.search(query, reasoning=reasoning, limit=SEARCH_LIMIT)
        except (OSError, StoreError) as error:
            self.app.call_from_thread(self._say, f"Could not search: {error}")
            hits = []
        if not worker.is_cancelled:
            self.app.call_from_thread(self._searched, query, hits, keep)

    def _searched(self, query: str, hits: list[Entry], keep: str | None) -> None:
        if query != self.query_text or self.mode == "title":
            return  # typed on since; a newer search is on its way
        self.entry_list.set_entries(hits, keep)
        self._show_preview()

    def action_cycle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.query_one("#history-mode", Static).update(_MODE_LABEL[self.mode])
        self._show_placeholder()
        self.apply_query()

    def _show_placeholder(self) -> None:
        """The whole hint where it fits; narrow, only what the box is for (the mode's
        name stays beside it)."""
        text = _PLACEHOLDER[self.mode]
        if self.has_class("-narrow"):
            text = text.split("  (")[0]
        self.query_one("#history-filter", Input).placeholder = text

    def action_list(self, action: str, amount: int) -> None:
        if action == "move":
            self.entry_list.action_move(amount)
        else:
            self.entry_list.action_page(amount)

    # --- preview and open -------------------------------------------------------------

    @on(ConversationList.Highlighted)
    def _highlighted(self) -> None:
        self._show_preview()

    def _show_preview(self) -> None:
        entry = self.entry_list.current
        body = self.query_one("#preview-body", Static)
        if entry is None:
            empty = "No saved conversations yet." if not self.query_text else "No matches."
            body.update(inert(empty if self._loaded else ""))
            return
        conversation, problem = None, entry.error
        if entry.readable:
            try:
                conversation = self.store.load(entry.id)
            except StoreError as error:
                problem = str(error)
        pattern = query_pattern(self.query_text) if self.query_text else None
        body.update(preview_content(entry, conversation, problem, pattern))
        self.query_one("#history-preview", VerticalScroll).scroll_home(animate=False)

    @on(Input.Submitted, "#history-filter")
    @on(ConversationList.Chosen)
    def action_open(self) -> None:
        entry = self.entry_list.current
        if entry is None:
            return
        try:
            conversation = self.store.load(entry.id)
        except StoreError as error:
            self._say(f"Cannot open it: {error}")
            return
        self.result.open = conversation
        self.dismiss(self.result)

    def action_back(self) -> None:
        if self.query_text:
            self.query_one("#history-filter", Input).value = ""
            return
        self.dismiss(self.result)

    # --- rename, delete, undo, export -------------------------------------------------

    def action_rename(self) -> None:
        entry = self.entry_list.current
        if entry is None or not entry.readable:
            self._say("Only a readable conversation can be renamed.")
            return
        self.app.push_screen(RenameDialog(entry.title),
                             lambda title: self._renamed(entry.id, title))

    def _renamed(self, conversation_id: str, title: str | None) -> None:
        if not title:
            return
        try:
            self.store.rename(conversation_id, title)
        except (OSError, StoreError) as error:
            self._say(f"Could not rename it: {error}")
            return
        self.result.renamed[conversation_id] = title
        self._say(f"Renamed to “{title}”.")
        self.reload()

    def action_delete(self) -> None:
        entry = self.entry_list.current
        if entry is None:
            return
        title = entry.title if entry.readable else f"{entry.id}.toml (unreadable)"
        self.app.push_screen(ConfirmDelete(title or entry.id),
                             lambda yes: self._delete(entry, bool(yes)))

    def _delete(self, entry: Entry, yes: bool) -> None:
        if not yes:
            return
        try:
            trashed = self.store.trash(entry.id)
        except (OSError, StoreError) as error:
            self._say(f"Could not delete it: {error}")
            return
        self._undo.append((trashed, entry.id))
        self.result.deleted.add(entry.id)
        self._forget(entry.id)
        self._say(f"Moved “{entry.title or entry.id}” to {trashed.parent}. Ctrl+Z: undo.")
        self.reload()

    def action_undo(self) -> None:
        if not self._undo:
            self._say("Nothing to undo.")
            return
        trashed, conversation_id = self._undo.pop()
        try:
            self.store.restore(trashed)
        except (OSError, StoreError) as error:
            self._say(f"Could not undo: {error}")
            return
        self.result.deleted.discard(conversation_id)
        self._focus_id = conversation_id  # the cursor goes back to it
        self._say("Restored.")
        self.reload()

    def _forget(self, conversation_id: str) -> None:
        """Take a deleted entry off the list at once (the reload confirms it)."""
        self.all_entries = [e for e in self.all_entries if e.id != conversation_id]
        entries = [e for e in self.entry_list.entries if e.id != conversation_id]
        cursor = self.entry_list.cursor
        following = entries[min(cursor, len(entries) - 1)].id if entries else None
        self.entry_list.set_entries(entries, following)
        self._show_preview()

    def action_export(self, fmt: str) -> None:
        entry = self.entry_list.current
        if entry is None or not entry.readable:
            self._say("Only a readable conversation can be exported.")
            return
        try:
            conversation = self.store.load(entry.id)
            path = export_to_file(conversation, fmt, self.export_dir, entry.id)
        except (OSError, StoreError) as error:
            self._say(f"Could not export it: {error}")
            return
        self._say(f"Exported to {path}")

    def _say(self, text: str) -> None:
        self.app.notify(one_line(text, 600), markup=False)


def _folder_stamp(folder: Path) -> int | None:
    """Changes whenever a file in the folder is added, removed or replaced (the store
    writes by rename, so every save counts)."""
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return None

