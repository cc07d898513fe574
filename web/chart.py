"""Sign-ups by week as an SVG bar chart, drawn on the server.

Labels are SVG text, so the browser shapes Khmer with the page's fonts (matplotlib, which
draws /stats' PNG, cannot). The chart is plain numbers for the template: no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.i18n import Translator

WIDTH = 720
HEIGHT = 260
TOP = 24  # room for the counts above the bars
BOTTOM = 40  # room for the week labels
LEFT = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: str  # shown above the bar
    label: str  # the week's Monday, shown below
    centre: float


def bars(weeks: list[date], counts: list[int], t: Translator) -> list[Bar]:
    """One bar a week, its height in proportion to the tallest (an empty week: no bar)."""
    slot = (WIDTH - 2 * LEFT) / max(len(weeks), 1)
    tallest = max(counts, default=0) or 1
    room = HEIGHT - TOP - BOTTOM
    found = []
    for index, (week, count) in enumerate(zip(weeks, counts, strict=True)):
        height = room * count / tallest
        x = LEFT + index * slot + slot * 0.15
        found.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + room - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                count=t.number(count),
                label=t.date(week, "d MMM"),
                centre=round(x + slot * 0.35, 1),
            )
        )
    return found
