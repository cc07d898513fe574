"""Feature handlers: one router per feature, built on the neutral core."""

from __future__ import annotations

from bot.core.dispatch import Router


def all_routers() -> list[Router]:
    from handlers import (
        admin,
        broadcast,
        community,
        competitions,
        content,
        help,
        jobs,
        language,
        leaderboard,
        profile,
        questions,
        search,
        signup,
    )

    return [
        signup.router,
        profile.router,
        questions.router,
        search.router,
        jobs.router,
        community.router,
        broadcast.router,
        content.router,
        competitions.router,
        leaderboard.router,
        language.router,
        help.router,
        admin.router,
    ]
