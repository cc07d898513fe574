"""Random sequences of updates through the real bot on each engine, against the emulator.

Members send commands, texts (Khmer, emoji, combining marks, bidi controls, HTML-looking
characters, 0–5,000 characters), stickers and photos, press the buttons they were shown,
buttons of other members' messages and forged ones (ids of others' questions, answers,
companies, competitions; unknown prefixes), and time passes (the scheduled work runs).
After every sequence: nothing logged at ERROR (dispatch logs "update … failed" with the
traceback), Telegram refused no message for its content, no outbox row breaks Telegram's
limits, and the database invariants hold (reputation is the sum of its grants, at most one
accepted answer a question, an expert's reply only to a follow-up asked and only one,
entries within each competition's limit, no member erased but still named).

SQLite only: the property is about what the bot does with what it is sent, not about the
database (the PostgreSQL variants of the scenario tests cover that), and every example
starts from a fresh copy of one seeded SQLite file, which PostgreSQL cannot do as cheaply.
The examples are bounded (``DCC_FUZZ_EXAMPLES``, 40 by default, a sequence at most
20 steps) so both engines take about a minute; under ``CI`` the run is derandomized (the
same examples every time) and keeps no example database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from bot.sandbox.emulator import EmuUser, SentMessage
from tests.conftest import FakeClock
from tests.scenarios.fuzz.invariants import RecordingEmulator, database_problems
from tests.scenarios.fuzz.world import USERS, World, build_world, fuzz_settings
from tests.scenarios.harness import Scenario

EXAMPLES = int(os.environ.get("DCC_FUZZ_EXAMPLES", "40"))
MAX_STEPS = 20

# -- what members send ------------------------------------------------------------------------
KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
KHMER_SYMBOLS = st.characters(min_codepoint=0x19E0, max_codepoint=0x19FF)
EMOJI = st.sampled_from(["😀", "👍🏽", "🇰🇭", "👩‍💻", "❤️", "🏆", "\u200d", "\ufe0f", "🫶"])
COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
BIDI = st.sampled_from(["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                        "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u200c"])  # fmt: skip
MARKUP = st.sampled_from([*"<>&\"'/\n\t ", "<b>", "</i>", "&amp;", "&#0;", "<a href=x>"])
CONTROLS = st.sampled_from(["\x00", "\x1b", "\r", "\r\n", "\x85", "\ufeff", "\u2028", "\x7f"])
ANY = st.characters(codec="utf-8")  # any character a message can carry
PIECE = st.one_of(KHMER, KHMER, KHMER_SYMBOLS, EMOJI, COMBINING, BIDI, MARKUP, CONTROLS, ANY)


def pieces(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(PIECE, min_size=min_size, max_size=max_size).map("".join)


SHORT = pieces(0, 40)
LONG = st.builds(
    lambda chunk, length: (chunk * length)[:length], pieces(1, 30), st.integers(1, 5000)
)
WORDS = st.sampled_from(
    ["", "yes", "no", "Skip", "skip", "1", "12", "០៥", "ok", "https://example.com",
     "http://x", "+85512345678", "012 345 678", "25/12/2026 18:00", "web, ai", "ai",
     "Phnom Penh", "ភ្នំពេញ", "ជំរាបសួរ", "🇰🇭", "a" * 4096, "ក" * 4097, "😀" * 2049,
     "0", "-1", "9" * 25, "1e9", "٣", "១២៣", "7100002", "@vannak", "#1", "31/02/2027 25:61",
     "01/01/1970 00:00", "12/12/9999 23:59", "javascript:alert(1)", "https://" + "a" * 300]
)  # fmt: skip
TEXTS = st.one_of(WORDS, SHORT, LONG)

# Someone who never used the bot, as Telegram describes them: a first name of up to 64
# characters, maybe a username, any language setting of their app.
STRANGERS = st.builds(
    EmuUser,
    st.integers(7_200_000, 7_200_002),
    pieces(1, 64).filter(lambda name: bool(name.strip())),
    st.sampled_from(["km", "en", "en-US", "km-KH", "ru", "zz", "", None, "x" * 35]),
    st.one_of(st.none(), st.from_regex(r"[A-Za-z][A-Za-z0-9_]{4,31}", fullmatch=True)),
    st.one_of(st.none(), pieces(1, 64)),
)

# -- forged buttons ---------------------------------------------------------------------------
PREFIXES = ["qa", "cm", "ad", "jb", "ct", "cp", "lang", "bc", "f", "zz", "", "qa:qa"]
ACTIONS = sorted(
    set("a b bcx c change close cno cok d dc edit enter f grant h hide ia id invite iv join "
        "keep m mine new newbc newcp no nojoin ok open p post r rank rq rsvp rv score sc show "
        "stop talent ub v x y km en".split())
    | {"", "zz"}
)  # fmt: skip
ODD_VALUES = ["", "0", "-1", "999999", str(2**63), str(2**70), "abc", "1:2", "១", "٣", " 1"]


@dataclass(frozen=True)
class Step:
    """One thing a member does; ``pick`` chooses among what exists when it happens."""

    kind: str  # command | text | sticker | photo | press | press_other | forge | tick
    user: int  # index in USERS, -1 for the stranger ``who``
    text: str = ""  # a command with its arguments, a text, forged callback data
    pick: int = 0
    other: int = 0
    who: EmuUser | None = None  # a stranger: any name, username and app language


def _forged(world_ids: list[int]) -> st.SearchStrategy[str]:
    value = st.one_of(st.sampled_from(world_ids).map(str), st.sampled_from(ODD_VALUES))
    shaped = st.builds(
        lambda prefix, action, values: ":".join([prefix, action, *values]),
        st.sampled_from(PREFIXES),
        st.sampled_from(ACTIONS),
        st.lists(value, min_size=0, max_size=2),
    )
    flow = st.builds(
        lambda token, step, value: f"f:{token}:{step}:{value}",
        st.sampled_from(["0", "1", "abc", ""]),
        st.sampled_from(["tags", "confirm", "name", "x", ""]),
        value,
    )
    free = pieces(0, 30)
    return st.one_of(shaped, flow, free).map(
        lambda data: data.encode()[:64].decode(errors="ignore")
    )


@st.composite
def sequences(draw: st.DrawFn, world: World) -> list[Step]:
    """A few members (so a flow can be followed for several steps), maybe a stranger
    among them (-1), mostly answering what the bot last showed them, sometimes anything
    else."""
    actors = st.integers(-1, len(USERS) - 1)
    cast = draw(st.lists(actors, min_size=1, max_size=3, unique=True))
    user = st.sampled_from(cast)
    anyone = st.integers(0, len(USERS) - 1)
    pick = st.integers(-3, 40)  # which button (or which of another member's), modulo: -1 the last
    command = st.sampled_from([*world.commands, "unknown_thing", "start@dcc_sandbox_bot"])
    newest = st.builds(Step, st.just("press"), user, pick=pick)
    step = st.one_of(
        newest,
        newest,
        newest,
        st.builds(Step, st.just("press"), user, pick=pick, other=st.integers(1, 4)),
        st.builds(Step, st.just("text"), user, TEXTS),
        st.builds(Step, st.just("text"), user, TEXTS),
        st.builds(Step, st.just("command"), user, command),
        st.builds(Step, st.just("command"), user, command),
        st.builds(Step, st.just("command"), user, st.builds("{} {}".format, command, SHORT)),
        st.builds(Step, st.sampled_from(["sticker", "photo"]), user),
        st.builds(Step, st.just("press_other"), user, pick=pick, other=anyone),
        st.builds(Step, st.just("forge"), user, _forged(world.all_ids())),
        st.builds(Step, st.just("forge"), user, _forged(world.all_ids())),
        st.builds(Step, st.just("tick"), user, pick=st.integers(1, 96)),
    )
    played = draw(st.lists(step, min_size=3, max_size=MAX_STEPS))
    if -1 not in cast:
        return played
    stranger = draw(STRANGERS)
    return [replace(s, who=stranger) if s.user == -1 else s for s in played]


# -- playing a sequence -----------------------------------------------------------------------
class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []
        self.traces = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        trace = f"\n{self.traces.formatException(record.exc_info)}" if record.exc_info else ""
        self.seen.append(f"{record.name}: {record.getMessage()}{trace}")


@contextmanager
def errors_logged() -> Iterator[_Errors]:
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def keyboards(messages: list[SentMessage]) -> list[SentMessage]:
    """Messages still showing inline buttons with callback data, newest first."""
    return [
        m
        for m in reversed(messages)
        if not m.deleted and any("callback_data" in b for row in m.inline_keyboard for b in row)
    ]


def button_data(message: SentMessage) -> list[str]:
    return [
        b["callback_data"] for row in message.inline_keyboard for b in row if "callback_data" in b
    ]


async def play(scenario: Scenario, step: Step) -> None:
    emulator, user = scenario.emulator, step.who or USERS[step.user]
    assert scenario.app is not None
    if step.kind == "tick":
        scenario.clock.advance(hours=step.pick)
        await scenario.app.run_due_work()
        return
    if step.kind == "command":
        await scenario.say(user, f"/{step.text}")
        return
    if step.kind == "text":
        await scenario.say(user, step.text)
        return
    if step.kind in ("sticker", "photo"):
        await scenario.send(user, step.kind)
        return
    own = emulator.messages(user.id)
    if not own:  # nothing to press on yet: the member opens the bot
        await scenario.say(user, "/start")
        return
    if step.kind == "forge":
        await _press(scenario, user, own[-1], step.text)
        return
    source = USERS[step.other] if step.kind == "press_other" else user
    shown = keyboards(emulator.messages(source.id))
    if not shown:
        await scenario.say(user, "/help")
        return
    if step.kind == "press":  # mostly the newest message's buttons, sometimes older ones
        message = shown[min(step.other, len(shown) - 1)]
        data = button_data(message)
        await _press(scenario, user, message, data[step.pick % len(data)])
        return
    everything = [d for m in shown for d in button_data(m)]  # another member's button data
    await _press(scenario, user, own[-1], everything[step.pick % len(everything)])


async def _press(scenario: Scenario, user: EmuUser, message: SentMessage, data: str) -> None:
    scenario.emulator.press(user, message.message_id, data)
    await scenario._settle()


def fresh_copy(template: Path, workdir: Path) -> Path:
    """The seeded database, as it was before any example."""
    database = workdir / "example.sqlite3"
    for leftover in workdir.glob("example.sqlite3*"):
        leftover.unlink()
    shutil.copyfile(template, database)
    return database


async def run_sequence(database: Path, engine: str, sequence: list[Step]) -> int:
    """Play ``sequence``, check everything; how many different replies members saw."""
    emulator = RecordingEmulator(token="123456:FUZZ")
    async with emulator:
        for user in USERS[:-1]:  # all but the newcomer have opened the bot before
            emulator.register(user)
        scenario = Scenario(emulator, fuzz_settings(database, engine), FakeClock())
        with errors_logged() as errors:
            await scenario.start()
            try:
                for step in sequence:
                    await play(scenario, step)
                assert scenario.app is not None
                await scenario.app.run_due_work()  # what the sequence queued goes out
            finally:
                await scenario.stop()
        replies = {m.text for u in USERS for m in emulator.messages(u.id)}
    problems = errors.seen + emulator.refusals + await database_problems(database)
    assert not problems, "\n".join(problems)
    return len(replies)


def test_random_updates_keep_the_bot_sound(engine: str, tmp_path: Path) -> None:
    template = tmp_path / "world.sqlite3"
    world = asyncio.run(build_world(template, engine))
    workdir = tmp_path / "examples"
    workdir.mkdir()

    # The examples share this test's directory and seeded file on purpose (each starts from
    # a fresh copy), so Hypothesis sees no function-scoped fixture: the given function is
    # an inner one, and the health check has nothing to warn about.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,  # an example is a whole conversation: seconds, not milliseconds
        derandomize=bool(os.environ.get("CI")),
        database=None if os.environ.get("CI") else settings().database,  # CI keeps none
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )
    @given(sequence=sequences(world))
    def sequences_keep_the_bot_sound(sequence: list[Step]) -> None:
        replies = asyncio.run(run_sequence(fresh_copy(template, workdir), engine, sequence))
        target(float(replies), label="different replies")  # leads towards the deeper flows

    sequences_keep_the_bot_sound()
