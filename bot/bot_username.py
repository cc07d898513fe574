"""The bot's Telegram username, for the deep links of outreach and Share buttons:
``DCC_BOT_USERNAME`` when set, else asked of Telegram (getMe) with the bot's token."""

from __future__ import annotations

import aiohttp

from bot.config import BOT_USERNAME, ConfigError, Settings

TIMEOUT = aiohttp.ClientTimeout(total=15)


async def bot_username(settings: Settings) -> str:
    """The username without the @; ConfigError when neither the setting nor Telegram
    gives one."""
    if settings.bot_username:
        return settings.bot_username
    if not settings.token:
        raise ConfigError("set DCC_BOT_USERNAME, or TELEGRAM_BOT_TOKEN to ask Telegram for it")
    url = f"{settings.api_url}/bot{settings.token}/getMe"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.get(url) as response:
        body = await response.json(content_type=None)
    username = body.get("result", {}).get("username") if isinstance(body, dict) else None
    if not isinstance(username, str) or not BOT_USERNAME.fullmatch(username):
        raise ConfigError(
            f"Telegram did not tell the bot's username (getMe: {response.status}); set DCC_BOT_USERNAME"
        )
    return username
