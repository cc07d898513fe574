"""Feature handlers: one router per feature, built on the neutral core."""

from __future__ import annotations

from bot.core.dispatch import Router


def all_routers() -> list[Router]:
    from handlers import (
        admin,
        broadcast,
        community,
        content,
        help,
        jobs,
        language,
        profile,
        questions,
        signup,
    )

    return [
        signup.router,
        profile.router,
        questions.router,
        jobs.router,
        community.router,
        broadcast.router,
        content.router,
        language.router,
        help.router,
        admin.router,
    ]
