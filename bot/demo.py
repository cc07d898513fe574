"""Demonstration members for the sandbox and staff training (``dcc-bot seed-demo``).

Their Telegram ids are in a range real accounts don't use in the sandbox (9001–9006), so
running it again updates them instead of adding more.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from storage.uow import UnitOfWork

DEMO_MEMBERS: tuple[dict[str, Any], ...] = (
    {"telegram_id": 9001, "full_name": "សុខ ចាន់ថា", "language": "km", "role": "civil-servant",
     "organisation": "ក្រសួងប្រៃសណីយ៍ និងទូរគមនាគមន៍", "province": "phnom-penh",
     "skills": ["digital-gov", "policy"], "years_experience": 8, "open_to_work": False,
     "directory_visible": True},
    {"telegram_id": 9002, "full_name": "Dara Kim", "language": "en", "role": "private-sector",
     "organisation": "Mekong Cloud Co.", "province": "phnom-penh",
     "skills": ["cloud", "cybersecurity"], "years_experience": 6, "open_to_work": True,
     "alert_frequency": "daily", "directory_visible": True},
    {"telegram_id": 9003, "full_name": "ស្រីនាង ហេង", "language": "km", "role": "student",
     "organisation": "សាកលវិទ្យាល័យភូមិន្ទភ្នំពេញ", "province": "siem-reap",
     "skills": ["ai", "data", "khmer-computing"], "years_experience": 1, "open_to_work": True,
     "alert_frequency": "instant", "directory_visible": True},
    {"telegram_id": 9004, "full_name": "Vanna Chea", "language": "en", "role": "academic",
     "organisation": "Institute of Technology of Cambodia", "province": "battambang",
     "skills": ["ai", "education"], "years_experience": 12, "open_to_work": False,
     "directory_visible": True},
    {"telegram_id": 9005, "full_name": "Piseth Long", "language": "en", "role": "freelancer",
     "province": "abroad", "country": "Japan", "skills": ["web", "mobile", "design"],
     "years_experience": 5, "open_to_work": True, "alert_frequency": "weekly",
     "directory_visible": False},
    {"telegram_id": 9006, "full_name": "បូរ៉ា ម៉ម", "language": "km", "role": "other",
     "province": "kampot", "skills": ["ecommerce", "digital-marketing", "startups"],
     "years_experience": 3, "open_to_work": True, "alert_frequency": "weekly",
     "directory_visible": True},
)  # fmt: skip


# Demo experts answer around the clock (no quiet hours), so a sandbox question reaches them.
DEMO_EXPERTS = {9002: ("cloud", "cybersecurity", "web"), 9004: ("ai", "data", "education")}


async def seed_demo_members(uow: UnitOfWork) -> int:
    """Insert or refresh the demo members and experts; the number that were new."""
    rows = [
        {
            "username": None,
            "organisation": None,
            "country": None,
            "alert_frequency": "off",
            **member,
        }
        for member in DEMO_MEMBERS
    ]
    inserted, _updated = await uow.members.upsert_many(rows, datetime.now(UTC))
    for telegram_id, tags in DEMO_EXPERTS.items():
        member = await uow.members.get(telegram_id)
        if member is not None:
            profile = await uow.questions.make_expert(member.id, tags)
            profile.quiet_start = profile.quiet_end = None
    return inserted
