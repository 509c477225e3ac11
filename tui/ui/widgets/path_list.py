"""The ``@path`` completions: a short list over the prompt. It never takes the focus:
the prompt keeps it and hands it Up, Down, Tab, Enter and Esc while the list is open
(``PromptArea.CompletionKey``)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.chat.paths import PathChoice
from tui.model.text import one_line
from tui.ui.render.inert import inert


class PathCompletions(OptionList, can_focus=False):
    DEFAULT_CSS = """
    PathCompletions {
        height: auto;
        max-height: 8;
        margin: 0 1;
        border: none;
        display: none;
    }
    PathCompletions.-open { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices: list[PathChoice] = []

    @property
    def is_open(self) -> bool:
        return bool(self.choices)

    def show(self, choices: list[PathChoice]) -> None:
        self.choices = choices
        self.clear_options()
        self.add_options(Option(_row(choice)) for choice in choices)
        if choices:
            self.highlighted = 0
        self.set_class(bool(choices), "-open")

    def close(self) -> None:
        self.show([])

    def move(self, step: int) -> None:
        if not self.choices:
            return
        at = self.highlighted if self.highlighted is not None else 0
        self.highlighted = (at + step) % len(self.choices)

    @property
    def chosen(self) -> PathChoice | None:
        if not self.choices or self.highlighted is None:
            return None
        return self.choices[self.highlighted]


def _row(choice: PathChoice) -> Content:
    return Content.assemble(("📁 " if choice.is_dir else "📄 "), inert(one_line(choice.path, 200)))
