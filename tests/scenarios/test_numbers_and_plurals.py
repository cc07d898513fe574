"""Numbers, dates and plurals as members read them: a Khmer member reads Khmer digits and a
Khmer date, an English member reads "1 member" and "2 members"."""

from __future__ import annotations

import re

from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_community import DARA, KEO, SREY, in_directory, search_everyone
from tests.scenarios.test_jobs import ADMIN, DAILY, REP, post_job, register_company


async def test_a_khmer_member_reads_the_jobs_count_and_deadline_in_khmer(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, REP)
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, DAILY, "km")
    await register_company(scenario)
    await post_job(scenario)

    replies = await scenario.say(DAILY, "/jobs")
    listing = replies[0]
    assert "ការងារកំពុងជ្រើសរើស (១)" in listing  # the count
    assert "ថ្ងៃទី៣១ ខែធ្នូ ឆ្នាំ២០២៦" in listing  # the deadline, the Khmer way
    assert "#១" in listing and "#១" in scenario.buttons(DAILY)  # the job's number
    assert re.search("[0-9]", listing) is None  # no Western digit anywhere


async def test_an_english_member_reads_one_member_and_two_members(scenario: Scenario) -> None:
    assert scenario.app is not None
    await in_directory(scenario, DARA)
    await in_directory(scenario, SREY, "km")
    replies = await search_everyone(scenario, DARA)
    assert replies[0] == "<b>1 member found · Any skill · Anywhere · Any role</b>"
    await in_directory(scenario, KEO)
    replies = await search_everyone(scenario, DARA)
    assert replies[0] == "<b>2 members found · Any skill · Anywhere · Any role</b>"
    replies = await search_everyone(scenario, SREY, khmer=True)
    assert replies[0].startswith("<b>រកឃើញសមាជិក ២ នាក់ · ")
