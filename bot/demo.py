"""Demonstration data for the sandbox and staff training (``dcc-bot seed-demo``).

The members' Telegram ids are in a range real accounts don't use in the sandbox (9001–9006),
so running it again updates them instead of adding more; the demo company and its jobs are
added once (a demo company already there is left as it is).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.i18n import Translations
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


# What the people played with ``/as`` in the sandbox find: a question ស្រីនាង (9003) asked
# that Vanna Chea (9004) answered, an open competition Vanna judges, a meetup with its place,
# and a connection request from បូរ៉ា (9006) waiting for ស្រីនាង's answer. Each is added once.
DEMO_QUESTION = (
    9003, 9004, ("ai", "khmer-computing"),
    "How can I start with machine learning on Khmer text? Which Python libraries help "
    "to split Khmer words?",
    "Start with Python and scikit-learn on a small labelled set. Khmer has no spaces "
    "between words, so segment first: khmercut and khmer-nltk both do it. Then try a "
    "simple classifier before any deep learning.",
)  # fmt: skip
DEMO_COMPETITION: dict[str, Any] = {
    "titles": ("ការប្រកួតកម្មវិធីឌីជីថលសម្រាប់សហគមន៍", "Digital solutions for communities"),
    "rules": ("ស្នើគំនិតកម្មវិធីឌីជីថលមួយ ដែលជួយសហគមន៍របស់អ្នក (ច្រើនបំផុត ៥០០ពាក្យ)។",
              "Propose one digital solution that helps your community (at most 500 words)."),
    "prizes": ("លេខ១៖ ១,០០០ ដុល្លារ · លេខ២៖ ៥០០ ដុល្លារ · លេខ៣៖ ២៥០ ដុល្លារ",
               "1st: 1,000 USD · 2nd: 500 USD · 3rd: 250 USD"),
    "tags": ("startups", "digital-gov"), "judge": 9004, "days_ahead": 30,
}  # fmt: skip
DEMO_MEETUP: dict[str, Any] = {
    "titles": ("ជួបជុំសហគមន៍ឌីជីថល", "Digital community meetup"),
    "summaries": ("នៅក្រសួងប្រៃសណីយ៍ និងទូរគមនាគមន៍ ភ្នំពេញ។",
                  "At the Ministry of Post and Telecommunications, Phnom Penh."),
    "tags": ("startups",), "days_ahead": 14, "link": "https://dcc.example/meetup",
}  # fmt: skip
DEMO_CONNECTION = (9006, 9003, "Hello! I run an online shop in Kampot and need help with data.")


async def seed_demo_activity(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> None:
    """The answered question, the open competition, the meetup and the waiting request."""
    from sqlalchemy import func, select

    from handlers.competitions.rules import reminder_due_times
    from handlers.questions.indexing import reindex
    from storage.models import Competition, ContentItem

    asker, expert = await uow.members.get(DEMO_QUESTION[0]), await uow.members.get(DEMO_QUESTION[1])
    if asker and expert and not await uow.questions.count_questions_of(asker.id):
        question = await uow.questions.add_question(
            asker.id, DEMO_QUESTION[3], "", DEMO_QUESTION[2], now - timedelta(days=3), now
        )
        await uow.questions.add_answer(question.id, expert.id, DEMO_QUESTION[4], now, None)
        question.status, question.answered_at, question.escalate_at = "answered", now, None
        await reindex(uow, question)
    competitions = select(func.count()).select_from(Competition)
    if expert and not await uow.session.scalar(
        competitions.where(Competition.title_en == DEMO_COMPETITION["titles"][1])
    ):
        day = (now.astimezone(tz) + timedelta(days=DEMO_COMPETITION["days_ahead"])).date()
        deadline = datetime.combine(day, time(17, 0), tz)
        await uow.competitions.add(
            DEMO_COMPETITION["titles"], DEMO_COMPETITION["rules"], DEMO_COMPETITION["prizes"],
            deadline, 1, DEMO_COMPETITION["tags"], [expert.id],
            reminder_due_times(deadline, now), None, now,
        )  # fmt: skip
    items = select(func.count()).select_from(ContentItem)
    if not await uow.session.scalar(items.where(ContentItem.link == DEMO_MEETUP["link"])):
        day = (now.astimezone(tz) + timedelta(days=DEMO_MEETUP["days_ahead"])).date()
        await store_item(
            uow, "event", DEMO_MEETUP["titles"], DEMO_MEETUP["summaries"], DEMO_MEETUP["link"],
            DEMO_MEETUP["tags"], now, event_at=datetime.combine(day, time(18, 0), tz),
        )  # fmt: skip
    sender, recipient = (
        await uow.members.get(DEMO_CONNECTION[0]),
        await uow.members.get(DEMO_CONNECTION[1]),
    )
    if sender and recipient and not await uow.community.requests_between(sender.id, recipient.id):
        await uow.community.add_request(sender.id, recipient.id, DEMO_CONNECTION[2], now, 100)


async def resend_demo_request(uow: UnitOfWork, translations: Translations, now: datetime) -> None:
    """The waiting request's message to its recipient, again: a sandbox's chats start empty
    each run, and the recipient played with ``/as`` should find it there."""
    from handlers.community.cards import card
    from handlers.community.connect import request_message
    from handlers.notices import notify_member

    sender, recipient = (
        await uow.members.get(DEMO_CONNECTION[0]),
        await uow.members.get(DEMO_CONNECTION[1]),
    )
    if sender is None or recipient is None:
        return
    tags = await uow.tags.all()
    for request in await uow.community.requests_between(sender.id, recipient.id):
        if request.status != "pending" or request.recipient_id != recipient.id:
            continue
        cards = {
            language: await card(uow, translations.for_language(language), sender, tags)
            for language in ("km", "en")
        }
        await notify_member(
            uow, translations, recipient.id,
            partial(request_message, request=request, sender_card=cards),
            now, dedupe_key=f"demo-connect:{request.id}:{now.isoformat()}",
        )  # fmt: skip
