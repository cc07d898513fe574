"""A Telegram message as a browser shows it: the bot's HTML (Telegram's HTML subset) turned
into safe page HTML for the console's previews and reports.

Only the tags Telegram formats with are kept — b, i, u, s (and their synonyms), code, pre,
and a with an http(s) address — without attributes other than the address; anything else
(a tag, a comment, a stray ``<``) is shown as the text it is. The bot's messages escape
what members and staff wrote (``bot.core.text.escape``), so their text never becomes markup
here either: the preview shows what Telegram would show.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from markupsafe import Markup

# Telegram's synonyms, as the browser tag they become
KEPT = {
    "b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u",
    "s": "s", "strike": "s", "del": "s", "code": "code", "pre": "pre", "a": "a",
}  # fmt: skip


class _SafeHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = KEPT.get(tag)
        if kept is None:
            self.out.append(escape(self.get_starttag_text() or ""))
            return
        if kept == "a":
            href = dict(attrs).get("href") or ""
            if urlsplit(href).scheme.lower() not in ("http", "https"):
                self.out.append("<a>")
            else:
                self.out.append(
                    f'<a href="{escape(href)}" rel="noopener noreferrer nofollow" target="_blank">'
                )
        else:
            self.out.append(f"<{kept}>")
        self.open.append(kept)

    def handle_endtag(self, tag: str) -> None:
        kept = KEPT.get(tag)
        if kept is None or kept not in self.open:
            self.out.append(escape(f"</{tag}>"))
            return
        while self.open:  # close it and anything left open inside it
            name = self.open.pop()
            self.out.append(f"</{name}>")
            if name == kept:
                break

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(escape(self.get_starttag_text() or ""))

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(escape(f"<!--{data}-->", quote=False))

    def handle_decl(self, decl: str) -> None:
        self.out.append(escape(f"<!{decl}>", quote=False))

    def handle_pi(self, data: str) -> None:
        self.out.append(escape(f"<?{data}>", quote=False))

    def unknown_decl(self, data: str) -> None:
        self.out.append(escape(f"<![{data}]>", quote=False))


def safe_html(telegram_html: str) -> Markup:
    """``telegram_html`` as page HTML that formats like Telegram and runs nothing."""
    parser = _SafeHtml()
    parser.feed(telegram_html)
    parser.close()  # an unfinished tag at the end comes out as text
    parser.out.extend(f"</{name}>" for name in reversed(parser.open))
    return Markup("".join(parser.out))  # built from escaped text and the tags kept
