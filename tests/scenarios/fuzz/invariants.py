"""What must hold after any sequence of updates, read from the database and from what
Telegram (the emulator) refused, including what PostgreSQL would have refused.

Measured the way Telegram measures: a message's text once its HTML entities are parsed,
in UTF-16 code units (an emoji is 2, a Khmer letter 1), at most 4,096; a button's
callback data 1–64 bytes."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sandbox.emulator import BotApiEmulator
from storage.db import make_engine, make_sessionmaker
from storage.models import (
    Answer,
    Base,
    Competition,
    CompetitionEntry,
    Member,
    OutboxMessage,
    Question,
    ReputationGrant,
)

MESSAGE_UNITS = 4096
CALLBACK_BYTES = 64
TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split()
)
# Refusals the bot expects and handles: an edit that changes nothing or of a message gone,
# a button answered after Telegram's timeout.
EXPECTED_REFUSALS = ("message is not modified", "message to edit not found", "query is too old")


class _Entities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.errors.append(f"unsupported tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"unmatched </{tag}>")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def parse_html(text: str) -> tuple[str, list[str]]:
    """The text Telegram would show for ``text`` in HTML parse mode, and what it would
    refuse in the markup."""
    parser = _Entities()
    parser.feed(text)
    parser.close()
    errors = parser.errors + [f"<{tag}> not closed" for tag in parser.open]
    return "".join(parser.parts), errors


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message_problems(text: str, keyboard: dict[str, Any] | None) -> list[str]:
    """Why Telegram would refuse this HTML message with this stored keyboard (none: [])."""
    plain, problems = parse_html(text)
    units = utf16_units(plain)
    if units > MESSAGE_UNITS:
        problems.append(f"{units} UTF-16 units after entity parsing (limit {MESSAGE_UNITS})")
    if not plain.strip():
        problems.append("empty text")
    for row in (keyboard or {}).get("rows", []):
        for button in row:
            data = button.get("data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_BYTES:
                problems.append(f"callback data of {len(data.encode())} bytes: {data[:80]!r}")
            if not button.get("text"):
                problems.append("a button without text")
    return problems


async def database_problems(database: Path) -> list[str]:
    """Every broken invariant of the stored state, one line each."""
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    problems: list[str] = []
    try:
        async with make_sessionmaker(engine)() as session:
            granted = dict(
                (
                    await session.execute(
                        select(ReputationGrant.member_id, func.sum(ReputationGrant.points))
                        .group_by(ReputationGrant.member_id)
                    )
                ).all()
            )  # fmt: skip
            for member in await session.scalars(select(Member)):
                if member.reputation != granted.get(member.id, 0):
                    problems.append(
                        f"member {member.id}: reputation {member.reputation} but grants sum "
                        f"to {granted.get(member.id, 0)}"
                    )
                if member.deleted_at is not None:
                    named = {
                        name: getattr(member, name)
                        for name in ("telegram_id", "full_name", "username", "phone",
                                     "organisation", "country")
                        if getattr(member, name) is not None
                    }  # fmt: skip
                    if named:
                        problems.append(f"member {member.id} erased but still has {named}")

            accepted = (
                await session.execute(
                    select(Answer.question_id, func.count())
                    .where(Answer.accepted.is_(True))
                    .group_by(Answer.question_id)
                )
            ).all()
            for question_id, count in accepted:
                if count > 1:
                    problems.append(f"question {question_id}: {count} accepted answers")
            for question in await session.scalars(
                select(Question).where(Question.accepted_answer_id.is_not(None))
            ):
                answer = await session.get(Answer, question.accepted_answer_id)
                if answer is None or answer.question_id != question.id or not answer.accepted:
                    problems.append(
                        f"question {question.id}: accepted_answer_id "
                        f"{question.accepted_answer_id} is no accepted answer of it"
                    )

            replies: dict[int, int] = {}
            for reply in await session.scalars(
                select(Answer).where(Answer.reply_to_id.is_not(None))
            ):
                original = await session.get(Answer, reply.reply_to_id)
                if original is None or original.follow_up is None:
                    problems.append(
                        f"answer {reply.id} replies to a follow-up never asked on answer "
                        f"{reply.reply_to_id}"
                    )
                replies[reply.reply_to_id or 0] = replies.get(reply.reply_to_id or 0, 0) + 1
            for answer_id, count in replies.items():
                if count > 1:
                    problems.append(f"answer {answer_id}: {count} replies to its follow-up")

            entries = await session.execute(
                select(
                    CompetitionEntry.competition_id,
                    CompetitionEntry.member_id,
                    func.count(),
                    Competition.entries_allowed,
                )
                .join(Competition, Competition.id == CompetitionEntry.competition_id)
                .group_by(
                    CompetitionEntry.competition_id,
                    CompetitionEntry.member_id,
                    Competition.entries_allowed,
                )
            )
            for competition_id, member_id, count, allowed in entries:
                if allowed and count > allowed:
                    problems.append(
                        f"competition {competition_id}: member {member_id} has {count} "
                        f"entries, {allowed} allowed"
                    )

            problems += await _refused_by_postgresql(session)

            for row in await session.scalars(select(OutboxMessage)):
                for problem in message_problems(row.text, row.keyboard):
                    problems.append(f"outbox row {row.id} to {row.chat_id}: {problem}")
    finally:
        await engine.dispose()
    return problems


async def _refused_by_postgresql(session: AsyncSession) -> list[str]:
    """Strings SQLite stored that PostgreSQL would refuse, failing the update there: a NUL
    character, or more characters than the column's ``String(n)``. The test runs on SQLite
    only, so this is how it speaks for PostgreSQL."""
    problems: list[str] = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String)]
        if not columns:
            continue
        for row in (await session.execute(select(*columns))).all():
            for column, value in zip(columns, row, strict=True):
                if not isinstance(value, str):
                    continue
                where = f"{table.name}.{column.name}"
                if "\x00" in value:
                    problems.append(f"{where} holds a NUL character: {value[:60]!r}")
                limit = getattr(column.type, "length", None)  # None: Text, no limit
                if limit is not None and len(value) > limit:
                    problems.append(f"{where} holds {len(value)} characters, {limit} allowed")
    return problems


class RecordingEmulator(BotApiEmulator):
    """The emulator, remembering every refusal the bot did not expect: a message too
    long, markup Telegram cannot parse, bad button data, an empty text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusals: list[str] = []

    async def _handle(self, request: web.Request) -> web.Response:
        response = await super()._handle(request)
        if response.status == 400 and isinstance(response.body, bytes):
            description = str(json.loads(response.body).get("description", ""))
            if not any(expected in description for expected in EXPECTED_REFUSALS):
                method = request.match_info["method"]
                self.refusals.append(f"{method} refused: {description}")
        return response
