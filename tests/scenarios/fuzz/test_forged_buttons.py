"""Every button the bot knows, forged with the ids of other members' things and pressed by
members who own none of them: someone who never signed up, and a member whose only company
waits for verification. Nothing may change but what any member may do to what they can see
(report a question or an answer, answer an event's invitation), whatever they type next.

The random test rarely forges exactly the right button; this one tries them all, on one
engine (who may press what is the handlers' decision, not the engine's)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.scenarios.fuzz.test_fuzz import Step, fresh_copy, run_sequence
from tests.scenarios.fuzz.world import NEWCOMER, OTHER_REP, USERS, build_world

BUTTONS = {
    "qa": "a p h c f y x v m ok no rq ra hide keep",
    "cm": "a d b r ub",
    "jb": "apply iv dc edit close post mine talent invite new cok cno join nojoin ia id",
    "cp": "open enter edit score sc rank ann change",
    "ct": "rsvp",
    "ad": "pending reports bc content comp roles stats export bcx newbc hide post newcp rv grant "
    "show",
    "bc": "stop",
}
VALUES = ("1", "1:10", "a:7100004")  # ids 1 are all someone else's; a score; a role and id
ANYONE_MAY = {"reports", "rsvps"}  # tables a bystander's press may change
NOT_STATE = {"processed_updates", "conversations", "outbox", "audit_log", "alembic_version"}
TEXT = "Some text, long enough for any step that asks for one: https://example.com"


def stored(database: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master "
                                                          "WHERE type = 'table'")]  # fmt: skip
        return {
            table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in tables
            if table not in NOT_STATE
        }


@pytest.mark.parametrize("prefix", sorted(BUTTONS))
def test_forged_buttons_of_others_change_nothing(prefix: str, tmp_path: Path) -> None:
    template = tmp_path / "world.sqlite3"
    asyncio.run(build_world(template, "ptb"))
    workdir = tmp_path / "examples"
    workdir.mkdir()
    untouched = fresh_copy(template, workdir)  # with what the scheduled work does anyway
    asyncio.run(run_sequence(untouched, "ptb", [Step("command", 0, "help")]))
    before = stored(untouched)
    for member in (NEWCOMER, OTHER_REP):
        actor = USERS.index(member)
        sequence = [Step("command", actor, "help")]
        for action in BUTTONS[prefix].split():
            for value in VALUES:
                sequence += [
                    Step("forge", actor, f"{prefix}:{action}:{value}"),
                    Step("text", actor, TEXT),
                    Step("command", actor, "cancel"),
                ]
        database = fresh_copy(template, workdir)
        asyncio.run(run_sequence(database, "ptb", sequence))  # and every invariant holds
        after = stored(database)
        changed = sorted(t for t in after if after[t] != before.get(t) and t not in ANYONE_MAY)
        assert not changed, f"{member.first_name} changed {changed} by forged {prefix}: buttons"
