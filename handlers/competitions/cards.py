"""How a competition looks: in /competitions, opened, and in the previews of its creation.

Every text an administrator or a member typed is escaped here; the buttons carry ids only
(``cp:ACTION:ID``), and each action checks the presser's right when pressed.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_line, clip, escape
from handlers.competitions.buttons import OPEN_CARD
from handlers.competitions.rules import DECIDED, JUDGING, NO_LIMIT, OPEN, competition_state
from storage.models import Competition

TITLE_MAX, RULES_MAX, PRIZES_MAX = 120, 2000, 500  # UTF-16 units: a card fits one message
STATE_NAMES = {OPEN: N_("open for entries"), JUDGING: N_("being judged"), DECIDED: N_("decided")}
LEFT_MEMBER = N_("a member who left")


def entries_allowed_name(t: Translator, allowed: int) -> str:
    return t.gettext(N_("no limit")) if allowed == NO_LIMIT else t.number(allowed)


def local_moment(t: Translator, moment: datetime, tz: ZoneInfo) -> str:
    return t.moment(moment.astimezone(tz))


def competition_card(
    t: Translator,
    competition: Competition,
    tag_names: str,
    entries: int,
    now: datetime,
    tz: ZoneInfo,
    winners: list[tuple[int, str]] | None = None,
) -> str:
    """The whole competition in ``t``'s language; ``winners`` (place, name) once decided."""
    c = competition
    state = competition_state(now, c.deadline_at, c.decided_at)
    lines = [
        f"🏆 <b>{escape(c.title(t.language))}</b> · {t.gettext(STATE_NAMES[state])}",
        "",
        escape(c.rules(t.language)),
        "",
    ]
    if tag_names:
        lines.append("🏷 " + escape(tag_names))
    lines += [
        "⏳ "
        + t.gettext(N_("Deadline: {moment} (Cambodia time)")).format(
            moment=local_moment(t, c.deadline_at, tz)
        ),
        "🎁 " + t.gettext(N_("Prizes: {prizes}")).format(prizes=escape(c.prizes(t.language))),
        "✍️ "
        + t.gettext(N_("Entries a member may send: {count}")).format(
            count=entries_allowed_name(t, c.entries_allowed)
        ),
        "📥 " + t.gettext(N_("Entries so far: {count}")).format(count=t.number(entries)),
    ]
    if winners:
        lines += ["", "🥇 <b>" + t.gettext(N_("Winners")) + "</b>"]
        lines += [winner_line(t, place, name) for place, name in winners]
    return "\n".join(lines)


def winner_line(t: Translator, place: int, name: str) -> str:
    return t.gettext(N_("Place {place}: {name}")).format(
        place=t.number(place), name=escape(clip(name, 60))
    )


def listing_entry(
    t: Translator, competition: Competition, entries: int, now: datetime, tz: ZoneInfo
) -> str:
    """One competition in /competitions: its number, title, deadline, prizes, entries."""
    c = competition
    title = f"<b>#{t.digits(str(c.id))}</b> {escape(clip(c.title(t.language), 80))}"
    state = competition_state(now, c.deadline_at, c.decided_at)
    if state == DECIDED and c.decided_at is not None:
        when = "✅ " + t.gettext(N_("Decided on {date}")).format(
            date=t.date(c.decided_at.astimezone(tz), "medium")
        )
    else:
        when = "⏳ " + local_moment(t, c.deadline_at, tz)
    prizes = "🎁 " + escape(clip(clean_line(c.prizes(t.language)), 60))
    count = "📥 " + t.gettext(N_("Entries: {count}")).format(count=t.number(entries))
    return f"{title}\n{when} · {prizes} · {count}"


def open_button(t: Translator, competition_id: int) -> InlineKeyboard:
    return InlineKeyboard.of(
        [[OPEN_CARD.button("🏆 " + t.gettext(N_("Open the competition")), competition_id)]]
    )


def changed_notice(
    competition: Competition, tz: ZoneInfo, t: Translator
) -> tuple[str, InlineKeyboard]:
    """To a member who entered: the competition they entered was changed."""
    text = t.gettext(
        N_(
            "Competition #{number}, {title}, has been changed by its organisers: entries are open until {moment}. Please read it again."
        )
    ).format(
        number=competition.id,
        title="<b>" + escape(competition.title(t.language)) + "</b>",
        moment=local_moment(t, competition.deadline_at, tz),
    )
    return text, open_button(t, competition.id)
