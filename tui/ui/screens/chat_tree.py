"""The chat screen's message cursor and what it does to the conversation's tree: edit an
earlier prompt, regenerate a reply (with the same model or another), move between
alternatives, fork, delete a branch (and undo it), copy any message.

Alt+Up / Alt+Down move a cursor over the messages shown (the prompt keeps focus and its
text); a click on a message selects it too. Esc, or typing in the prompt, leaves the
cursor. The keys below act only while a message is selected (Ctrl+R, F3 and Ctrl+Z act
without one too): otherwise Left, Right, Enter and Delete go to the prompt as usual.

Every change to the tree is one save (through the screen's ``_save``), and none is made
while a reply streams."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding

from tui.model.conversation import Conversation, Message
from tui.model.tree import (
    Removed,
    fork,
    go_on_from,
    newest_leaf,
    remove,
    restore,
    siblings,
    switch,
)
from tui.ui.services import AppScreen
from tui.ui.speed import heap
from tui.ui.widgets.message_views import UserMessage
from tui.ui.widgets.reply_view import ReplyView

if TYPE_CHECKING:
    from tui.ui.services import Services
    from tui.ui.widgets.prompt import PromptArea
    from tui.ui.widgets.transcript import Transcript

_CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
STREAMING = "A reply is still streaming: Esc cancels it first."

# First in the screen's bindings: while a message is selected, the footer shows these
# keys before the others. Priority for Left, Right, Enter, Delete and Ctrl+Z: they come
# before the prompt's own, and only while they apply (``check_action``). Not for the
# Alt keys (the prompt has no use for them): those wait their turn behind the keys
# typed before them, so a cursor moved just after typing is not left by that typing.
TREE_BINDINGS = [
    Binding("alt+up", "cursor(-1)", "Earlier message", show=False,
            id="chat.msg_up", tooltip="Select the message above (the message cursor)"),
    Binding("alt+down", "cursor(1)", "Later message", show=False, id="chat.msg_down",
            tooltip="Select the message below; past the last one, back to the prompt"),
    Binding("enter", "edit_message", "Edit", priority=True, id="chat.msg_edit",
            tooltip="Edit the selected prompt: sending it makes a new branch"),
    Binding("left", "alternative(-1)", "Prev", priority=True, id="chat.msg_prev",
            tooltip="Show the previous alternative of the selected message"),
    Binding("right", "alternative(1)", "Next", priority=True, id="chat.msg_next",
            tooltip="Show the next alternative of the selected message"),
    Binding("alt+r", "regenerate_with", "Other model", id="chat.regen_with",
            tooltip="Regenerate the selected reply (or prompt's reply) with a model picked now"),
    Binding("alt+n", "fork", "Fork", id="chat.msg_fork",
            tooltip="A new conversation from the start to the selected message"),
    Binding("delete", "delete_message", "Delete", priority=True, id="chat.msg_delete",
            tooltip="Delete the selected message and the branch below it (Ctrl+Z undoes)"),
    Binding("ctrl+z", "undo_delete", "Undo", priority=True, id="chat.msg_undo",
            tooltip="Put back the messages just deleted"),
]

# Actions that need a selected message, and the role it must have (None: any).
_ON_SELECTED = {"edit_message": "user", "alternative": None, "fork": None,
                "delete_message": None}


class TreeActions(AppScreen[None]):
    """The chat screen's base: its message cursor and tree actions."""

    _selected: str | None = None  # the id of the message the cursor is on
    _editing: Message | None = None  # the prompt being edited (sent as a new branch)
    _draft: str = ""  # what the prompt held when the edit began
    _text_at_select = ""  # what the prompt held when the cursor moved (typing leaves it)
    _undo: list[Removed]  # what Delete took out, newest last (Ctrl+Z puts it back)

    if TYPE_CHECKING:  # what the chat screen has
        conversation: Conversation
        services: Services

        @property
        def transcript(self) -> Transcript: ...
        @property
        def prompt(self) -> PromptArea: ...
        @property
        def streaming(self) -> bool: ...
        def _save(self) -> bool: ...
        def refresh_chrome(self) -> None: ...
        async def _start_reply(self) -> None: ...
        async def load_conversation(self, conversation: Conversation) -> None: ...

    # --- the cursor -------------------------------------------------------------------

    listing_keys = False  # F1 is reading the bindings: every action is on

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.listing_keys:
            return True
        if action == "undo_delete":
            return bool(self._undo)
        if action == "branches":  # in the footer only when there is more than one
            return len(self.conversation.nodes) > len(self.conversation.messages)
        if action == "regenerate_with":
            return self._selected is not None  # Alt+R is free for the prompt otherwise
        if action in _ON_SELECTED:
            message = self._selected_message()
            if message is None:
                return False
            # Not for this message: shown dimmed (None), not hidden, so the footer keeps
            # its keys in place as the cursor moves; the key goes to the prompt as usual.
            role = _ON_SELECTED[action]
            if role is not None and message.role != role:
                return None
            if action == "alternative" and len(siblings(self.conversation, message)) < 2:
                return None
            return True
        return True

    @property
    def selected(self) -> Message | None:
        """The message the cursor is on (None: no cursor)."""
        return self._selected_message()

    def _selected_message(self) -> Message | None:
        if self._selected is None:
            return None
        return next((m for m in self.conversation.nodes if m.id == self._selected), None)

    def select(self, message_id: str | None) -> None:
        self._selected = message_id
        self._text_at_select = self.prompt.text
        self.transcript.mark(message_id if message_id is not None else
                             self._editing.id if self._editing is not None else None)
        self.refresh_bindings()

    def action_cursor(self, step: int) -> None:
        heap.key_pressed()  # no full garbage collection on the frame of a move
        views = self.transcript.message_views()
        if not views:
            return
        ids = [v.message.id for v in views]
        if self._selected not in ids:
            if step < 0:
                self.select(ids[-1])
            return
        index = ids.index(self._selected) + step
        if index >= len(ids):
            self.select(None)  # past the last message: back to the prompt
        elif index < 0:
            if self.transcript.has_earlier:
                self.post_message(self.transcript.ShowEarlier())
        else:
            self.select(ids[index])

    def leave_cursor(self) -> bool:
        """Esc: end an edit, else leave the cursor; False when there was neither."""
        if self._editing is not None:
            self._editing = None
            self.prompt.load_text(self._draft)
            self.prompt.move_cursor(self.prompt.document.end)
            self.select(None)
            self.services.say("Edit cancelled.")
            return True
        if self._selected is not None:
            self.select(None)
            return True
        return False

    def on_click(self, event: events.Click) -> None:
        """A click on a message selects it."""
        node = event.widget
        while node is not None and not isinstance(node, UserMessage | ReplyView):
            node = node.parent  # type: ignore[assignment]
        if isinstance(node, UserMessage | ReplyView) and node.message.id in {
            m.id for m in self.conversation.nodes
        }:
            self.select(node.message.id)

    def forget_cursor(self) -> None:
        """Another conversation is shown: no cursor, no edit, nothing to undo."""
        self._selected = None
        self._editing = None
        self._undo = []
        self.refresh_bindings()

    async def run_tree_action(self, name: str, parameters: tuple[object, ...]) -> None:
        """A palette command: the action, or why it cannot run now."""
        if not self.check_action(name, parameters):
            self.services.say("Select a message first (Alt+Up), one this applies to.")
            return
        await self.run_action(f"{name}({', '.join(map(repr, parameters))})")

    def _refused(self) -> bool:
        if self.streaming:
            self.services.say(STREAMING, severity="warning")
            return True
        return False

    async def _show_tree(self, selected: str | None = None) -> None:
        """Draw the branch a change shows, put the cursor on ``selected``, and save the
        change once that frame is out (writing a long conversation takes longer than
        drawing it)."""
        self.refresh_chrome()
        self._selected = selected
        await self.transcript.redraw(self.conversation)
        self.select(selected)
        self.call_after_refresh(self._save)

    # --- edit -------------------------------------------------------------------------

    def action_edit_message(self) -> None:
        message = self._selected_message()
        if message is None or message.role != "user" or self._refused():
            return
        draft = self.prompt.text
        if draft.strip():
            self.prompt.remember(draft)  # the draft stays one Up away in prompt history
        self._draft = draft
        self._editing = message
        self.prompt.load_text(message.content)
        self.prompt.move_cursor(self.prompt.document.end)
        self.select(None)
        self.services.say("Editing this prompt: Enter sends it as a new branch, Esc cancels.")

    def take_edit(self) -> bool:
        """Before a prompt is sent: if it is an edit, the next message becomes an
        alternative to the prompt edited (the old branch stays); True then."""
        editing, self._editing = self._editing, None
        self._undo = []
        self._selected = None
        if editing is None or editing not in self.conversation.nodes:
            return False
        go_on_from(self.conversation, self._parent_of(editing))
        return True

    def _parent_of(self, message: Message) -> Message | None:
        return next((m for m in self.conversation.nodes if m.id == message.parent), None)

    # --- regenerate -------------------------------------------------------------------

    def _to_regenerate(self) -> tuple[Message, Message | None] | None:
        """The prompt a new reply answers, and the reply it goes beside (None: none yet):
        the selected reply's; the selected prompt's; else the last reply's."""
        message = self._selected_message()
        branch = self.conversation.messages
        if message is None:
            if not branch:
                return None
            message = branch[-1]
        if message.role == "user":
            after = branch[branch.index(message) + 1:] if message in branch else []
            return message, (after[0] if after and after[0].role == "assistant" else None)
        prompt = self._parent_of(message)
        if message.role != "assistant" or prompt is None:
            return None
        return prompt, message

    async def action_retry(self) -> None:
        """Ctrl+R: a new reply beside the selected (else the last) one, from the chat's
        model; a failed or cancelled reply is replaced instead of kept."""
        if self._refused():
            return
        target = self._to_regenerate()
        if target is None:
            self.services.say("No reply to regenerate.")
            return
        await self.regenerate(*target)

    def action_regenerate_with(self) -> None:
        if self._refused():
            return
        target = self._to_regenerate()
        if target is None:
            self.services.say("No reply to regenerate.")
            return
        from tui.ui.modals.model_picker import ModelPicker  # dialogs load when first shown
        services = self.services
        picker = ModelPicker(services.models, self.conversation.model, services.catalog_note)

        async def chosen(model: str | None) -> None:
            if model:
                self.conversation.model = model  # the chat goes on with it, as after F2
                services.remember_model(model)
                await self.regenerate(*target)

        self.app.push_screen(picker, chosen)

    async def regenerate(self, prompt: Message, reply: Message | None) -> None:
        """Stream a new reply to ``prompt``: an alternative to ``reply`` (which is
        replaced when it failed or was cancelled)."""
        nodes = self.conversation.nodes
        if self._refused() or prompt not in nodes:
            return
        if reply in nodes and (reply.finish_reason in ("error", "cancelled") or reply.error):
            remove(self.conversation, reply)  # a failed reply is replaced, not kept
        go_on_from(self.conversation, prompt)
        self._undo = []
        self._selected = None
        await self.transcript.redraw(self.conversation)
        self.select(None)
        await self._start_reply()  # saves before the request is sent

    # --- alternatives, fork, delete, copy ---------------------------------------------

    async def action_alternative(self, step: int) -> None:
        message = self._selected_message()
        if message is None or self._refused():
            return
        chosen = switch(self.conversation, message, step)
        if chosen is None:
            self.services.say("No later alternative." if step > 0 else
                              "No earlier alternative.")
            return
        self._undo = []
        await self._show_tree(chosen.id)

    def action_branches(self) -> None:
        """F9: every branch, one line a message; Enter shows the branch through the line
        picked (its newest continuation), the cursor on that message."""
        from tui.ui.modals.branches import BranchesView  # dialogs load when first shown
        if len(self.conversation.nodes) == len(self.conversation.messages):
            self.services.say("This conversation has one branch: edit a prompt or "
                              "regenerate a reply to start another.")
            return

        async def chosen(message_id: str | None) -> None:
            message = next((m for m in self.conversation.nodes if m.id == message_id), None)
            if message is None or self._refused():
                return
            self.conversation.current = newest_leaf(self.conversation, message).id
            self._undo = []
            await self._show_tree(message.id)

        self.app.push_screen(BranchesView(self.conversation, self._selected), chosen)

    async def action_fork(self) -> None:
        message = self._selected_message()
        if message is None or self._refused():
            return
        copy = fork(self.conversation, message, self.services.store.new_id())
        count = len(copy.nodes)
        await self.load_conversation(copy)
        self._save()
        self.services.say(f"Forked into a new conversation ({count} message"
                          f"{'s' if count != 1 else ''}); the original stays in Ctrl+L.")

    async def action_delete_message(self) -> None:
        message = self._selected_message()
        if message is None or self._refused():
            return
        removed = remove(self.conversation, message)
        self._undo.append(removed)
        count = len(removed.at)
        await self._show_tree(None)
        self.services.say(f"Deleted {count} message{'s' if count != 1 else ''} · Ctrl+Z undoes")

    async def action_undo_delete(self) -> None:
        if not self._undo or self._refused():
            return
        removed = self._undo.pop()
        restore(self.conversation, removed)
        count = len(removed.at)
        await self._show_tree(removed.at[0][1].id)
        self.services.say(f"Restored {count} message{'s' if count != 1 else ''}.")

    def action_copy_reply(self) -> None:
        """F3: the selected message, else the last reply."""
        message = self._selected_message()
        if message is not None:
            self.app.copy_to_clipboard(message.content)
            self.services.say(f"Copied this message ({len(message.content):,} characters).")
            return
        replies = [m for m in self.conversation.messages if m.role == "assistant" and m.content]
        if not replies:
            self.services.say("No reply to copy yet.")
            return
        self.app.copy_to_clipboard(replies[-1].content)
        self.services.say(f"Copied the last reply ({len(replies[-1].content):,} characters).")

    def action_copy_code(self) -> None:
        for message in reversed(self.conversation.messages):
            if message.role == "assistant":
                blocks = _CODE_BLOCK.findall(message.content)
                if blocks:
                    self.app.copy_to_clipboard(blocks[-1])
                    lines = len(blocks[-1].splitlines())
                    self.services.say(f"Copied a code block ({lines} lines).")
                    return
        self.services.say("No code block in the replies yet.")

    def action_scroll_transcript(self, where: str) -> None:
        self.transcript.scroll_where(where)
