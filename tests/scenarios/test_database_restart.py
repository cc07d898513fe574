"""PostgreSQL closes the bot's connections (a restart of the server, a failover) while
members are mid-sign-up: their next step is answered as if nothing happened, not with an
apology, and what they gave is stored. (The pool no longer pings a connection used a moment
ago; an update that meets a closed one runs again on a fresh one: ``storage.db``.)"""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import EmuUser
from tests.postgres import PostgresServer
from tests.scenarios.harness import Scenario
from tests.scenarios.test_signup import conversation_step

SOKHA = EmuUser(811, "Sokha", language_code="en")
CHANDA = EmuUser(812, "ចន្ទា", language_code="km")


async def test_members_go_on_signing_up_across_closed_connections(
    scenario: Scenario, database_url: str, request: pytest.FixtureRequest
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is a file in the bot's process: no connection to lose")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    database = database_url.rsplit("/", 1)[1]

    await scenario.say(SOKHA, "/start")
    await scenario.press(SOKHA, "English")
    await scenario.say(CHANDA, "/start")
    await scenario.press(CHANDA, "ខ្មែរ")
    assert await server.close_connections(database) >= 1  # the bot's pooled connections

    assert await scenario.press(SOKHA, "I agree") == ["What is your full name?"]
    assert await scenario.say(SOKHA, "Sokha Chan") == ["What is your role?"]
    assert await server.close_connections(database) >= 1
    replies = await scenario.press(CHANDA, "ខ្ញុំយល់ព្រម")
    assert replies == ["តើឈ្មោះពេញរបស់អ្នកគឺអ្វី?"]
    assert await conversation_step(scenario, SOKHA.id) == "role"
    assert await conversation_step(scenario, CHANDA.id) == "name"
