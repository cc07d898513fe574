"""Scenario harness: the real bot on the real engine, talking HTTP to the local emulator.

Tests act as members (send text, press buttons by their visible label) and read what the
member sees; ``restart`` stops the bot and builds a new one on the same database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.app import App, build_app
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, EmuUser, SentMessage
from tests.conftest import FakeClock


def plain_buttons(message: SentMessage) -> list[str]:
    return [b["text"] for row in message.inline_keyboard for b in row]


@dataclass
class Scenario:
    emulator: BotApiEmulator
    settings: Settings
    clock: FakeClock
    app: App | None = None
    fed: int = 0
    seen: dict[int, int] = field(default_factory=dict)

    async def start(self) -> None:
        self.app = await build_app(
            self.settings.with_(token=self.emulator.token, api_url=self.emulator.url),
            migrate=True,
            clock=self.clock,
        )
        self.fed = 0
        await self.app.start(poll_timeout=1, scheduler=False)

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def _settle(self) -> None:
        self.fed += 1
        assert self.app is not None
        await self.app.dispatcher.wait_processed(self.fed, seconds=10)

    # -- what a member does ----------------------------------------------------------------
    async def say(self, user: EmuUser, text: str) -> list[str]:
        """Send text; return the texts of the bot messages it caused."""
        before = self.emulator.message_count(user.id)
        self.emulator.send_text(user, text)
        await self._settle()
        return self.texts_since(user, before)

    async def press(
        self, user: EmuUser, label: str, message: SentMessage | None = None
    ) -> list[str]:
        """Press the button whose label contains ``label`` on the newest message showing it."""
        target, data = self.find_button(user, label, message)
        before = self.emulator.message_count(user.id)
        self.emulator.press(user, target.message_id, data)
        await self._settle()
        return self.texts_since(user, before)

    async def press_data(self, user: EmuUser, data: str) -> list[str]:
        """Press a button carrying ``data`` on the user's newest message: a button of
        someone else's message forwarded to them, or a forged one."""
        before = self.emulator.message_count(user.id)
        self.emulator.press(user, self.last(user).message_id, data)
        await self._settle()
        return self.texts_since(user, before)

    async def send(self, user: EmuUser, kind: str, **details: Any) -> list[str]:
        before = self.emulator.message_count(user.id)
        if kind == "sticker":
            self.emulator.send_sticker(user)
        elif kind == "photo":
            self.emulator.send_photo(user, **details)
        elif kind == "document":
            self.emulator.send_document(user, **details)
        elif kind == "contact":
            self.emulator.send_contact(user, **details)
        else:
            raise ValueError(kind)
        await self._settle()
        return self.texts_since(user, before)

    # -- what a member sees ----------------------------------------------------------------
    def find_button(
        self, user: EmuUser, label: str, message: SentMessage | None = None
    ) -> tuple[SentMessage, str]:
        candidates = [message] if message else reversed(self.emulator.messages(user.id))
        for candidate in candidates:
            for row in candidate.inline_keyboard:
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return candidate, button["callback_data"]
        raise AssertionError(f"no button {label!r}; last: {self.last(user)}")

    def texts_since(self, user: EmuUser, before: int) -> list[str]:
        return [m.text or "" for m in self.emulator.messages(user.id)[before:]]

    def last(self, user: EmuUser) -> SentMessage:
        return self.emulator.last(user.id)

    def buttons(self, user: EmuUser) -> list[str]:
        """The labels of the newest message that has inline buttons."""
        for message in reversed(self.emulator.messages(user.id)):
            if message.inline_keyboard:
                return plain_buttons(message)
        return []

    def toasts(self) -> list[str]:
        return [a.get("text") or "" for a in self.emulator.callback_answers]


async def add_member(
    scenario: Scenario,
    user: EmuUser,
    language: str = "en",
    expert_tags: tuple[str, ...] = (),
    staff: str | None = None,
    quiet: tuple[str, str] | None = None,
) -> int:
    """A signed-up member (and expert, moderator or admin) without the sign-up dialogue."""
    from storage.uow import UnitOfWork

    assert scenario.app is not None
    scenario.emulator.register(user)  # they have opened the bot before
    async with UnitOfWork(scenario.app.sessionmaker, scenario.clock.now) as uow:
        row = {
            "telegram_id": user.id, "full_name": user.first_name, "language": language,
            "role": "private-sector", "province": "phnom-penh", "country": None,
            "skills": list(expert_tags) or ["web"], "open_to_work": False,
            "alert_frequency": "off", "directory_visible": False, "username": user.username,
            "organisation": None, "years_experience": 5,
        }  # fmt: skip
        await uow.members.upsert_many([row], scenario.clock.now())
        member = await uow.members.get(user.id)
        assert member is not None
        if expert_tags:
            profile = await uow.questions.make_expert(member.id, expert_tags)
            profile.quiet_start, profile.quiet_end = quiet or (None, None)
        if staff:
            await uow.staff.grant(user.id, staff, granted_by=None)
        await uow.commit()
        return member.id
