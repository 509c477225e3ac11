"""The Attach dialog: a file browser from the working directory and a path to type.
Enter on a file in the tree, or Enter in the path box, dismisses with that path; Esc
closes with None. Nothing is read here: the chat screen reads what is chosen."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text, TextType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Static

from tui.model.text import strip_controls
from tui.ui.render.inert import inert


class FileTree(DirectoryTree):
    """A directory tree without hidden entries, its names shown literally."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]

    def process_label(self, label: TextType) -> Text:
        plain = label.plain if isinstance(label, Text) else label
        return Text(strip_controls(plain).replace("\n", " "))


class AttachFile(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "close", "Close", id="attach.close")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(inert(f"Attach a file from {self.root}"), classes="hint")
            yield FileTree(self.root, id="attach-tree")
            yield Input(placeholder="or type a path (relative to the folder above) and Enter",
                        id="attach-path")
            yield Static("Enter on a file attaches it · Tab moves to the path box · "
                         "Esc closes", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(FileTree).focus()

    @on(DirectoryTree.FileSelected)
    def _file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(str(event.path))

    @on(Input.Submitted, "#attach-path")
    def _path_typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_close(self) -> None:
        self.dismiss(None)
