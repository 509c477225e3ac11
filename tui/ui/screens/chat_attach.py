"""The chat screen's attachments: files put on the next prompt as chips above it, and
what the request carries of them.

Three ways in: the Attach dialog (F7, or the palette), ``@path`` completion in the
prompt (a folder goes deeper, a file becomes a chip and its ``@token`` leaves the text),
and a pasted text that names existing files (a dragged file: it becomes chips instead of
text; removing such a chip puts the pasted text back). Files are read in a thread when
they are attached, never before; one that cannot be attached is named in a plain notice
and nothing typed is lost.

Before a prompt is sent, its files are checked against the model's catalog entry
(``refusal``): a model that does not take images or PDFs gets nothing, the prompt and
chips stay, and the notice names models that do take them.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.widget import Widget

from tui.api.catalog import ModelInfo
from tui.chat.paths import at_token, complete, pasted_paths
from tui.chat.turn import build_request, inputs_for
from tui.model.attachment import Attachment, AttachmentError
from tui.model.conversation import Conversation, Message
from tui.model.wire import Inputs, refusal
from tui.ui.screens.chat_tree import TreeActions
from tui.ui.widgets.attachment_chips import AttachmentChips
from tui.ui.widgets.path_list import PathCompletions
from tui.ui.widgets.prompt import PromptArea

if TYPE_CHECKING:
    from tui.api.request import ChatRequest

MAX_TAKERS = 5  # models named in a refusal, at most


def above_prompt() -> Iterator[Widget]:
    """What the chat screen shows over its prompt: the chips, the completions."""
    yield AttachmentChips(id="chips")
    yield PathCompletions(id="completions")


class AttachActions(TreeActions):
    BINDINGS = [
        # Priority: before the prompt's own F7 (Textual's "select all"), as F6 is.
        Binding("f7", "attach", "Attach", id="chat.attach", priority=True, show=False,
                tooltip="Attach a file to the next prompt (a file browser)"),
    ]

    _draft_attachments: list[Attachment] = []  # the chips when an edit began

    if TYPE_CHECKING:
        def show_estimate(self) -> None: ...

    @property
    def attach_root(self) -> Path:
        """Where ``@path`` and the Attach dialog start: the working directory."""
        return Path.cwd()

    @property
    def chips(self) -> AttachmentChips:
        return self.query_one(AttachmentChips)

    @property
    def completions(self) -> PathCompletions:
        return self.query_one(PathCompletions)

    # --- attaching --------------------------------------------------------------------

    def action_attach(self) -> None:
        from tui.ui.modals.attach_file import AttachFile  # a dialog: when first shown

        self.app.push_screen(AttachFile(self.attach_root), self._file_chosen)

    def _file_chosen(self, path: str | None) -> None:
        self.prompt.focus()
        if path:
            self.attach([path])

    def attach(self, paths: list[str], pasted: list[str] | None = None,
               whole: str | None = None) -> None:
        """Read ``paths`` (in a thread) and show them as chips. ``whole``: the pasted
        text they came from, ``pasted`` each one's part of it (put back on removal)."""
        self._read_files(paths, self.attach_root, pasted, whole)

    @work(thread=True, group="attach")
    def _read_files(self, paths: list[str], cwd: Path, pasted: list[str] | None,
                    whole: str | None) -> None:
        from tui.storage.attachments import read_attachment  # files: once attached

        read: list[Attachment] = []
        errors: list[str] = []
        for path in paths:
            try:
                read.append(read_attachment(path, cwd))
            except AttachmentError as error:
                errors.append(str(error))
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.app.call_from_thread(self._files_read, read, errors, pasted, whole)

    def _files_read(self, read: list[Attachment], errors: list[str],
                    pasted: list[str] | None, whole: str | None) -> None:
        if errors:
            self.services.say("; ".join(errors), title="Not attached", severity="warning",
                              timeout=8)
            if whole is not None:  # a paste is all files or all text: here, text
                self.prompt.paste_text(whole)
                return
        have = {(a.path, a.sha256) for a in self.chips.attachments}
        for index, attachment in enumerate(read):
            if (attachment.path, attachment.sha256) in have:
                self.services.say(f"{attachment.name} is attached already.")
                continue
            have.add((attachment.path, attachment.sha256))
            self.chips.add(attachment, pasted[index] if pasted else None)
        if whole is not None and read:
            names = ", ".join(a.name for a in read)
            self.services.say(f"Attached {names} (a pasted path). Removing a chip puts its "
                              "text back in the prompt.")
        self._chips_changed()

    def attach_first(self) -> None:
        """The files the app was started with (piped input), as chips: once."""
        first, self.services.first_attachments = self.services.first_attachments, []
        for attachment in first:
            self.chips.add(attachment)
        if first:
            self._chips_changed()

    def _chips_changed(self) -> None:
        self.prompt.can_send_empty = bool(self.chips.attachments)
        self.show_estimate()

    @on(AttachmentChips.Removed)
    def _chip_removed(self, event: AttachmentChips.Removed) -> None:
        self.prompt.focus()
        if event.pasted:
            self.prompt.paste_text(event.pasted)
        self._chips_changed()

    @on(PromptArea.PathsPasted)
    def _paths_pasted(self, event: PromptArea.PathsPasted) -> None:
        paths = pasted_paths(event.text, self.attach_root)
        if paths is None:  # not files: the text goes in as pasted
            self.prompt.paste_text(event.text)
            return
        parts = [event.text] if len(paths) == 1 else [shlex.quote(str(p)) for p in paths]
        self.attach([str(p) for p in paths], parts, event.text)

    # --- @path completion -------------------------------------------------------------

    @on(PromptArea.Changed)
    def _typed_path(self) -> None:
        token = self._at_token()
        choices = complete(self.attach_root, token[2]) if token is not None else []
        self.completions.show(choices)
        self.prompt.completing = bool(choices)

    def _at_token(self) -> tuple[int, int, str] | None:
        """The ``@path`` the cursor ends: its row, the column of its ``@``, the path."""
        prompt = self.prompt
        row, column = prompt.cursor_location
        typed = at_token(prompt.document.get_line(row)[:column])
        return None if typed is None else (row, column - len(typed) - 1, typed)

    @on(PromptArea.CompletionKey)
    def _completion_key(self, event: PromptArea.CompletionKey) -> None:
        if event.key in ("up", "down"):
            self.completions.move(-1 if event.key == "up" else 1)
        elif event.key == "escape":
            self._close_completions()
        else:
            self._take_completion()

    def _close_completions(self) -> None:
        self.completions.close()
        self.prompt.completing = False

    def _take_completion(self) -> None:
        choice, token = self.completions.chosen, self._at_token()
        if choice is None or token is None:
            self._close_completions()
            return
        row, start, typed = token
        end = (row, start + 1 + len(typed))
        if choice.is_dir:  # deeper: the list shows what is in it
            result = self.prompt.replace(f"@{choice.path}", (row, start), end)
            self.prompt.move_cursor(result.end_location)
            return
        result = self.prompt.replace("", (row, start), end)
        self.prompt.move_cursor(result.end_location)
        self._close_completions()
        self.attach([choice.path])

    # --- sending ----------------------------------------------------------------------

    def attachments_refused(self, info: ModelInfo | None) -> bool:
        """Whether the chips cannot go to this chat's model; if so, says why and which
        models would take them. Nothing is cleared."""
        attachments = self.chips.attachments
        why = refusal(attachments, inputs_for(info), self.conversation.model)
        if why is None:
            return False
        wants_images = any(a.kind == "image" and not inputs_for(info).takes(a)
                           for a in attachments)
        takers = [m.id for m in self.services.models
                  if (m.images if wants_images else m.files)][:MAX_TAKERS]
        named = (f" Models that do: {', '.join(takers)} (F2 picks one)." if takers else
                 " No model in the catalog does.")
        self.services.say(f"{why}.{named}", title="Not sent", severity="error", timeout=10)
        return True

    def take_attachments(self) -> list[Attachment]:
        """The chips' files, for the prompt being sent; the chips go."""
        attachments = self.chips.attachments
        if attachments:
            self.chips.clear()
            self._chips_changed()
        return attachments

    def saved_copy_reader(self) -> Callable[[Attachment], bytes]:
        """Where an image's or PDF's bytes come from when they are not in memory (a
        prompt read back from disk): the copies saved beside the conversation, checked
        against their digests (a missing or changed one: a plain message, not sent)."""
        return self.services.store.reader(self.conversation)

    def request_inputs(self) -> Inputs:
        info = self.services.model_info(self.conversation.model)
        return inputs_for(info, self.saved_copy_reader())

    def request_for(self, conversation: Conversation) -> ChatRequest:
        """The next request, with what the model takes of the attachments. Raises
        ``AttachmentError`` when an attachment's bytes cannot be read."""
        return build_request(conversation, stream=self.services.streaming,
                             inputs=self.request_inputs())

    def request_or_say(self, conversation: Conversation) -> ChatRequest | None:
        """``request_for``, or None after saying why it cannot be made."""
        try:
            return self.request_for(conversation)
        except AttachmentError as error:  # a saved image or PDF that cannot be read
            self.services.say(str(error), title="Not sent", severity="error")
            return None

    # --- editing an earlier prompt puts its files back -----------------------------------

    def action_edit_message(self) -> None:
        draft = self.chips.attachments
        super().action_edit_message()
        editing: Message | None = self._editing
        if editing is not None:
            self._draft_attachments = draft
            self.chips.set(list(editing.attachments))
            self._chips_changed()

    def leave_cursor(self) -> bool:
        editing = self._editing
        left = super().leave_cursor()
        if editing is not None and self._editing is None:
            self.chips.set(self._draft_attachments)
            self._draft_attachments = []
            self._chips_changed()
        return left
