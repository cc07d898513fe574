"""Demonstration data for the sandbox and staff training (``dcc-bot seed-demo``).

The members' Telegram ids are in a range real accounts don't use in the sandbox (9001–9006),
so running it again updates them instead of adding more; the demo company and its jobs are
added once (a demo company already there is left as it is).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.content.items import store_item
from handlers.jobs.rules import deadline_end
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


# A verified company represented by Dara Kim (9002), with jobs open for two months.
DEMO_COMPANY = {
    "name": "Mekong Cloud Co.", "registration_no": "MOC-00042", "sector": "Cloud services",
    "website": "https://mekongcloud.example", "about": "Hosting and cloud services for "
    "Cambodian businesses and ministries, from Phnom Penh.",
}  # fmt: skip
DEMO_REPRESENTATIVE = 9002
DEMO_JOBS: tuple[dict[str, Any], ...] = (
    {"title": "Cloud engineer", "description": "Run our Kubernetes platform and help "
     "customers move to the cloud. Two years of Linux experience; Khmer and English.",
     "tags": ["cloud", "cybersecurity"], "location": "phnom-penh", "job_type": "full-time",
     "apply_url": None},
    {"title": "អ្នកហាត់ការផ្នែកដំណើរការភាសាខ្មែរ", "description":
     "ជួយបង្កើតឧបករណ៍កាត់ពាក្យខ្មែរ និងស្វែងរកអត្ថបទ ដោយប្រើ Python។ រយៈពេលបីខែ "
     "ធ្វើការពីចម្ងាយ។",
     "tags": ["ai", "khmer-computing"], "location": "remote", "job_type": "internship",
     "apply_url": None},
    {"title": "Web developer", "description": "Build customer dashboards in TypeScript.",
     "tags": ["web"], "location": "siem-reap", "job_type": "part-time",
     "apply_url": "https://mekongcloud.example/careers"},
)  # fmt: skip


async def seed_demo_company(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> bool:
    """The demo company, verified, and its jobs; False when it exists already."""
    member = await uow.members.get(DEMO_REPRESENTATIVE)
    if member is None or any(
        c.name == DEMO_COMPANY["name"] for c in await uow.jobs.companies_of(member.id)
    ):
        return False
    company = await uow.jobs.add_company(member.id, **DEMO_COMPANY, now=now)
    company.status, company.decided_at = "verified", now
    deadline = (now.astimezone(tz) + timedelta(days=60)).date()
    for job in DEMO_JOBS:
        await uow.jobs.add_job(
            company.id, member.id, **job, deadline=deadline,
            deadline_at=deadline_end(deadline, tz), now=now,
        )  # fmt: skip
    return True


DEMO_CONTENT: tuple[dict[str, Any], ...] = (
    {"kind": "policy", "titles": ("គោលនយោបាយរដ្ឋាភិបាលឌីជីថល ២០២២-២០៣៥",
     "Digital Government Policy 2022-2035"),
     "summaries": ("ផែនការរបស់រាជរដ្ឋាភិបាលសម្រាប់សេវាសាធារណៈឌីជីថលនៅកម្ពុជា។",
                   "The government's plan for digital public services in Cambodia."),
     "tags": ["policy", "digital-gov"]},
    {"kind": "event", "titles": ("សិក្ខាសាលាសន្តិសុខសាយប័រ", "Cybersecurity workshop"),
     "summaries": ("ការពារគណនីរបស់អ្នក និងទិន្នន័យរបស់ស្ថាប័នអ្នក។",
                   "Protect your accounts and your organisation's data."),
     "tags": ["cybersecurity"], "days_ahead": 7},
)  # fmt: skip


async def seed_demo_content(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> bool:
    """A demo policy and a demo event next week, once; False when they are there."""
    if (await uow.content.browse(("policy",), now, 0, 1))[1]:
        return False
    for item in DEMO_CONTENT:
        event_at = None
        if "days_ahead" in item:
            day = (now.astimezone(tz) + timedelta(days=item["days_ahead"])).date()
            event_at = datetime.combine(day, time(9, 0), tz)
        await store_item(
            uow, item["kind"], item["titles"], item["summaries"], None, item["tags"], now,
            event_at=event_at,
        )  # fmt: skip
    return True
