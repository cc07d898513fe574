"""The /stats chart: weekly sign-ups and questions as a PNG, drawn in memory.

matplotlib with the Agg backend (no screen, no file left behind), imported only when a
chart is drawn (it takes half a second). Labels are numbers, dates and short English words:
matplotlib does not shape Khmer script, so the Khmer words go in the photo's caption.
"""

from __future__ import annotations

import io
from datetime import date


def weekly_chart(weeks: list[date], signups: list[int], questions: list[int]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.subplots()
    labels = [week.strftime("%d %b") for week in weeks]
    positions = range(len(weeks))
    width = 0.4
    axes.bar([p - width / 2 for p in positions], signups, width, label="sign-ups", color="#1f6fb2")
    axes.bar(
        [p + width / 2 for p in positions], questions, width, label="questions", color="#e08a1e"
    )
    axes.set_xticks(list(positions), labels, rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("per week")
    axes.set_title("DCC Bot: weekly sign-ups and questions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
