"""One person's side of a sandbox chat: what the bot sent them, printed as text, and the
buttons they can press.

Why letters: a reply may bring several messages with buttons (the directory's five cards
and the page's [Next]), and a person may want a button of a message further up, as on a
phone. So each message with buttons gets a letter when it is first shown (a, b, … z, aa,
ab, …) that it keeps for the whole session, and its buttons are shown as [b1] [b2]: typing
``b2`` (or ``#b2``) presses button 2 of message b, whichever message came since; ``#2``
presses button 2 of the newest message with buttons (what scripts use). A message the bot
edits is shown again with its new text, marked "(edited)".
"""

from __future__ import annotations

import html
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.sandbox.emulator import BotApiEmulator, EmuUser, SentMessage

SANDBOX_PHONE = "+85512345678"
PRESS = re.compile(r"#?([a-z]{1,3})(\d{1,3})|#\s*(\d{1,3})")
FILE_INPUT = re.compile(r"/(photo|file)\s+(\S+)(?:\s+(.*))?", re.DOTALL)


@dataclass(frozen=True)
class Choice:
    label: str
    callback_data: str | None = None
    url: str | None = None
    request_contact: bool = False
    reply: bool = False  # a button of the reply keyboard: pressing it sends its label


def letters(number: int) -> str:
    """0 → a, 25 → z, 26 → aa: the label of the number-th message with buttons."""
    label = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        label = chr(ord("a") + rest) + label
    return label


def plain(text: str) -> str:
    """HTML as the member would read it, without the tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class SandboxChat:
    """What one person has seen of their chat with the bot, and what they can press."""

    def __init__(self, emulator: BotApiEmulator, user: EmuUser) -> None:
        self.emulator = emulator
        self.user = user
        self.labels: dict[int, str] = {}  # message id → its letters
        self.by_label: dict[str, int] = {}
        self.keyboard: int | None = None  # the message whose reply keyboard is shown now
        self._shown: dict[int, tuple[int, str]] = {}  # message id → (edits, text) shown

    # -- what the person sends ----------------------------------------------------------------
    def send(self, line: str, out: TextIO) -> bool:
        """Send what the person typed (a press, a file, a sticker, text); False when nothing
        went to the bot (the sandbox said why)."""
        if line.startswith("\\"):  # \b2 sends the text "b2" itself
            self.emulator.send_text(self.user, line[1:])
            return True
        press = PRESS.fullmatch(line)
        if press and (line.startswith("#") or press.group(1) in self.by_label):
            return self._press(press, out)
        if line == ":sticker":
            self.emulator.send_sticker(self.user)
        elif line == ":photo":
            self.emulator.send_photo(self.user)
        elif FILE_INPUT.fullmatch(line):
            return self._send_file(line, out)
        else:
            self.emulator.send_text(self.user, line)
        return True

    def _send_file(self, line: str, out: TextIO) -> bool:
        """``/photo PATH [caption]`` or ``/file PATH [caption]``: the file as the person's
        photo or document (its type guessed from the name); False when it cannot be read."""
        match = FILE_INPUT.fullmatch(line)
        assert match is not None
        kind, name, caption = match.group(1), match.group(2), match.group(3) or None
        path = Path(name).expanduser()
        try:
            data = path.read_bytes()
        except OSError as error:
            print(f"     (cannot read {name}: {error.strerror or error})", file=out)
            return False
        if kind == "photo":
            self.emulator.send_photo(self.user, caption=caption, data=data)
        else:
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.emulator.send_document(self.user, data, path.name, mime_type, caption=caption)
        return True

    def _press(self, press: re.Match[str], out: TextIO) -> bool:
        if press.group(3):
            label = self._newest_with_buttons()
            if label is None:
                print("     (no message has buttons yet)", file=out)
                return False
            number = int(press.group(3))
        else:
            label, number = press.group(1), int(press.group(2))
        if label not in self.by_label:
            print(f"     (there is no message {label} with buttons)", file=out)
            return False
        message_id = self.by_label[label]
        choices = self.choices(message_id)
        if not choices:
            print(f"     (message {label} has no buttons now)", file=out)
            return False
        if not 1 <= number <= len(choices):
            print(
                f"     (there is no button {label}{number}: pick {label}1 to {label}{len(choices)})",
                file=out,
            )
            return False
        choice = choices[number - 1]
        if choice.url:
            print(f"     (opens {choice.url})", file=out)
            return False
        if choice.request_contact:
            self.emulator.send_contact(self.user, SANDBOX_PHONE)
        elif choice.callback_data is not None:
            self.emulator.press(self.user, message_id, choice.callback_data)
        else:
            self.emulator.send_text(self.user, choice.label)
        return True

    def _newest_with_buttons(self) -> str | None:
        for message in reversed(self.emulator.messages(self.user.id)):
            if message.message_id in self.labels and self.choices(message.message_id):
                return self.labels[message.message_id]
        return None

    def choices(self, message_id: int) -> list[Choice]:
        """The buttons a message has now: its inline ones, or the reply keyboard it brought
        while that keyboard is still shown; none once deleted."""
        message = next(
            (m for m in self.emulator.messages(self.user.id) if m.message_id == message_id), None
        )
        if message is None or message.deleted:
            return []
        if message.reply_keyboard is not None:
            return _reply_choices(message) if message_id == self.keyboard else []
        return [
            Choice(b["text"], b.get("callback_data"), b.get("url"))
            for row in message.inline_keyboard
            for b in row
        ]

    # -- what the person sees -----------------------------------------------------------------
    def unseen(self) -> int:
        """How many of the bot's messages are new since this chat was last shown."""
        return sum(
            1
            for m in self.emulator.messages(self.user.id)
            if not m.deleted and m.message_id not in self._shown
        )

    def show_new(self, out: TextIO) -> None:
        """Print what the bot sent or changed since the last look: new messages, and edited
        ones with their new text (not when a press only took their buttons away)."""
        for message in self.emulator.messages(self.user.id):
            before = self._shown.get(message.message_id)
            text = message.text or ""
            if message.deleted or (before is not None and before[0] == message.edits):
                continue
            self._shown[message.message_id] = (message.edits, text)
            if message.reply_keyboard is not None:
                self.keyboard = message.message_id
            elif message.removes_keyboard:
                self.keyboard = None
            if before is not None and before[1] == text and not message.inline_keyboard:
                continue  # a press took its buttons away: nothing new to read
            self._print(message, edited=before is not None, out=out)

    def _print(self, message: SentMessage, edited: bool, out: TextIO) -> None:
        body = plain(message.text or "")
        if message.kind == "document":
            size = len(message.document or b"")
            body = f"[file {message.filename}, {size} bytes] {body}"
        elif message.kind == "photo":
            body = f"[photo] {body}"
        if edited:
            body = "(edited) " + body
        lines = body.splitlines() or [""]
        print("bot> " + lines[0], file=out)
        for line in lines[1:]:
            print("     " + line, file=out)
        choices = self.choices(message.message_id)
        if not choices:
            return
        label = self.labels.get(message.message_id)
        if label is None:
            label = self.labels[message.message_id] = letters(len(self.labels))
            self.by_label[label] = message.message_id
        numbered = [f"[{label}{i}] {c.label}" for i, c in enumerate(choices, 1)]
        prefix = "keyboard: " if choices[0].reply else ""
        for start in range(0, len(numbered), 3):
            print("     " + prefix + "   ".join(numbered[start : start + 3]), file=out)


def _reply_choices(message: SentMessage) -> list[Choice]:
    found = []
    for row in (message.reply_keyboard or {}).get("keyboard", []):
        for button in row:
            label = button if isinstance(button, str) else button.get("text", "")
            contact = isinstance(button, dict) and bool(button.get("request_contact"))
            found.append(Choice(label, request_contact=contact, reply=True))
    return found
