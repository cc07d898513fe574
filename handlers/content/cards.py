"""A content item as a member reads it: in their language, or in the other one with a
marker when the item has only that one."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clip_units, escape
from handlers.content.buttons import RSVP
from handlers.content.kinds import KIND_ICONS, kind_name
from storage.models import ContentItem

ONLY_IN = {"km": N_("(only in Khmer)"), "en": N_("(only in English)")}


def in_language(t: Translator, km: str | None, en: str | None) -> tuple[str, str | None]:
    """The member's language's text, else the other's with the language it is in."""
    mine, other, other_language = (km, en, "en") if t.language == "km" else (en, km, "km")
    if mine:
        return mine, None
    return other or "", other_language


def title_of(t: Translator, item: ContentItem) -> str:
    """HTML: the title escaped, with a marker when it is not in the member's language."""
    title, language = in_language(t, item.title_km, item.title_en)
    marker = f" <i>{t.gettext(ONLY_IN[language])}</i>" if language else ""
    return escape(clip_units(title, 200)) + marker


def summary_of(t: Translator, item: ContentItem, limit: int) -> str:
    km, en = item.summary_km, item.summary_en
    if t.language == "km" and not item.title_km:  # an English item: its English summary
        km = None
    if t.language == "en" and not item.title_en:
        en = None
    summary, _language = in_language(t, km, en)
    return escape(clip_units(summary, limit)) if summary else ""


def dates_of(t: Translator, item: ContentItem, tz: ZoneInfo) -> str:
    if item.event_at is not None:
        return "🕒 " + t.moment(item.event_at.astimezone(tz))
    if item.deadline is not None:
        return "⏳ " + t.gettext(N_("Apply by {date}")).format(date=t.date(item.deadline))
    return t.date(item.published_at.astimezone(tz), "medium")


def item_card(t: Translator, item: ContentItem, tags: str, tz: ZoneInfo) -> str:
    """The whole item, for a member who opened it: HTML, what people typed escaped."""
    lines = [
        f"{KIND_ICONS.get(item.kind, '•')} <b>{title_of(t, item)}</b>",
        f"{kind_name(t, item.kind)} · {dates_of(t, item, tz)}",
    ]
    summary = summary_of(t, item, 1500)
    if summary:
        lines += ["", summary]
    if tags:
        lines += ["", "🏷 " + escape(tags)]
    return "\n".join(lines)


def item_entry(t: Translator, item: ContentItem, tz: ZoneInfo, summary: int = 160) -> str:
    """One item in a list or a digest: its number, title, date and a short summary."""
    lines = [
        f"{KIND_ICONS.get(item.kind, '•')} <b>#{t.digits(str(item.id))} · {title_of(t, item)}</b>",
        dates_of(t, item, tz),
    ]
    text = summary_of(t, item, summary)
    if text:
        lines.append(text)
    return "\n".join(lines)


def item_keyboard(t: Translator, item: ContentItem, going: bool | None) -> InlineKeyboard | None:
    """The link and, for an event, the RSVP button showing whether the member is going."""
    row = []
    if item.link:
        row.append(Button("🔗 " + t.gettext(N_("Open the link")), url=item.link))
    if going is not None:
        label = (
            "✅ " + t.gettext(N_("I am going (tap to cancel)"))
            if going
            else "🙋 " + t.gettext(N_("I will attend"))
        )
        row.append(RSVP.button(label, item.id))
    return InlineKeyboard.of([row]) if row else None
