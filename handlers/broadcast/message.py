"""What a broadcast looks like to its recipients, and to the admin who follows its delivery."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import N_, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import escape
from handlers.broadcast.buttons import STOP
from handlers.categories import OFFICIAL, category_name
from storage.broadcasts import Delivery
from storage.models import Broadcast

TEXT_MAX = 3500  # UTF-16 units (an emoji 2), as Telegram counts: the heading still fits one message
# a broadcast sent with Telegram's paid broadcasts (handlers.broadcast.paid)
PAID = N_("Paid (fast)")


def broadcast_message(
    t: Translator, text: str, link_url: str | None
) -> tuple[str, InlineKeyboard | None]:
    """The message a recipient reading ``t``'s language gets: the admin's text escaped."""
    heading = "📢 <b>" + t.gettext(N_("Digital Community of Cambodia")) + "</b>"
    keyboard = (
        InlineKeyboard.of([[Button("🔗 " + t.gettext(N_("Open the link")), url=link_url)]])
        if link_url
        else None
    )
    return f"{heading}\n\n{escape(text)}", keyboard


def text_for(broadcast: Broadcast, language: str) -> str:
    return broadcast.text_km if language == "km" else broadcast.text_en


def progress_text(t: Translator, broadcast: Broadcast, delivery: Delivery, now: datetime) -> str:
    """Sent, failed, left, rate, time left: edited in place while the broadcast goes out
    (a paid one says so under its title: its admin knows the Stars are being spent)."""
    elapsed = (now - (broadcast.started_at or now)).total_seconds()
    rate = delivery.done / elapsed if elapsed > 0 else 0.0
    lines = [
        "📤 <b>"
        + t.gettext(N_("Broadcast #{number} is being sent")).format(number=broadcast.id)
        + "</b>",
        *paid_line(t, broadcast),
        t.gettext(N_("Sent: {count}")).format(count=t.number(delivery.sent)),
        t.gettext(N_("Not delivered: {count}")).format(
            count=t.number(delivery.unreachable + delivery.failed)
        ),
        t.gettext(N_("Left: {count}")).format(count=t.number(delivery.left)),
        t.gettext(N_("Rate: {rate} messages a second")).format(rate=t.number(round(rate, 1))),
    ]
    if rate > 0 and delivery.left:
        lines.append(
            t.gettext(N_("Time left: about {duration}")).format(
                duration=t.duration(delivery.left / rate)
            )
        )
    return "\n".join(lines)


def report_text(t: Translator, broadcast: Broadcast, delivery: Delivery) -> str:
    """The final report: what reached whom, once the broadcast is done or stopped; the
    members left out because they switched its category off are counted apart; a paid one
    says so under its title."""
    title = (
        N_("Broadcast #{number} was stopped.")
        if broadcast.status == "stopped"
        else N_("Broadcast #{number} is delivered.")
    )
    lines = [
        "✅ <b>" + t.gettext(title).format(number=broadcast.id) + "</b>",
        *paid_line(t, broadcast),
        t.gettext(N_("Delivered: {count}")).format(count=t.number(delivery.sent)),
        t.gettext(N_("Blocked the bot: {count}")).format(count=t.number(delivery.unreachable)),
        t.gettext(N_("Failed after retries: {count}")).format(count=t.number(delivery.failed)),
    ]
    if delivery.left_out or broadcast.category != OFFICIAL:
        lines.append(
            t.gettext(N_("Left out by their choice ({category} switched off): {count}")).format(
                category=category_name(t, broadcast.category), count=t.number(delivery.left_out)
            )
        )
    if delivery.stopped:
        lines.append(t.gettext(N_("Not sent: {count}")).format(count=t.number(delivery.stopped)))
    return "\n".join(lines)


def paid_line(t: Translator, broadcast: Broadcast) -> list[str]:
    return ["⚡ " + t.gettext(PAID)] if broadcast.paid else []


def stop_keyboard(t: Translator, broadcast: Broadcast) -> InlineKeyboard:
    return InlineKeyboard.of([[STOP.button("⏹ " + t.gettext(N_("Stop")), broadcast.id)]])
