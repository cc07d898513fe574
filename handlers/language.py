"""/language: switch between Khmer and English at any time, even in the middle of a flow.

Its buttons are ``lang:<code>``, one declared action per language.
"""

from __future__ import annotations

from functools import partial

from bot.core.buttons import Buttons
from bot.core.dispatch import Router
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from handlers.context import Ctx, menu_for
from handlers.profile.labels import LANGUAGE_NAMES

router = Router("language")

LANGUAGE = router.buttons(Buttons("lang"))
CHOICES = {code: LANGUAGE.action(code) for code in LANGUAGE_NAMES}


@router.command("language", N_("Language / ភាសា"))
async def choose_language(ctx: Ctx) -> None:
    buttons = [CHOICES[code].button(name) for code, name in LANGUAGE_NAMES.items()]
    await ctx.reply(ctx._(N_("Which language do you prefer?")), InlineKeyboard.columns(buttons, 2))


async def set_language(ctx: Ctx, language: str) -> None:
    member = await ctx.member()
    if member is not None:
        member.language = language
    else:
        ctx.conversation.language = language
    ctx.use_language(language)
    await ctx.answer()
    await ctx.clear_buttons()
    await ctx.reply(ctx._(N_("From now on I will write to you in English.")))
    await ctx.messenger.set_commands(await menu_for(ctx, language), chat_id=ctx.event.chat_id)
    await ctx.reprompt()


for _code, _press in CHOICES.items():
    LANGUAGE.on(_press, partial(set_language, language=_code))
