"""Which photos and documents each place takes, and the one way a handler accepts one.

A place names what a person would send there (a screenshot with a question, a CV with an
application). A file of another type, one over FILE_MAX, or the second and later files of an
album are refused or passed over with a message in the member's language saying what to
send instead; nothing is downloaded: the file stays Telegram's, kept by its file_id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.core.events import PHOTO, Attachment, FileRef
from bot.core.flow import Step
from bot.core.i18n import N_
from handlers.context import Ctx

FILE_MAX = 20 * 1024 * 1024  # bytes: the most a bot may fetch from Telegram, so the most taken


@dataclass(frozen=True, slots=True)
class Accepted:
    """What a place takes: photos, and documents by MIME type or, when Telegram names no
    type, by the file name's extension. ``kinds`` is a msgid naming them for the member."""

    kinds: str
    photos: bool
    mime_types: frozenset[str]
    extensions: frozenset[str]


SCREENSHOT = Accepted(
    N_("a photo or a screenshot (JPEG, PNG or PDF)"),
    photos=True,
    mime_types=frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"}),
    extensions=frozenset({".jpg", ".jpeg", ".png", ".webp", ".pdf"}),
)
CV = Accepted(
    N_("a CV as a PDF, Word (DOC or DOCX) or ODT file"),
    photos=False,
    mime_types=frozenset(
        {
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.oasis.opendocument.text",
        }
    ),
    extensions=frozenset({".pdf", ".doc", ".docx", ".odt"}),
)
ENTRY_FILE = Accepted(
    N_("a photo, or a PDF, Word, PowerPoint, ODT, ODP or ZIP file"),
    photos=True,
    mime_types=frozenset(
        {
            "image/jpeg",
            "image/png",
            "image/webp",
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.presentation",
            "application/zip",
            "application/x-zip-compressed",
        }
    ),
    extensions=frozenset(
        {".jpg", ".jpeg", ".png", ".webp", ".pdf", ".doc", ".docx", ".ppt", ".pptx", ".odt",
         ".odp", ".zip"}
    ),
)  # fmt: skip
POSTER = Accepted(  # published with a broadcast or an item, its text the caption
    N_("a photo or a PDF"),
    photos=True,
    mime_types=frozenset({"application/pdf"}),
    extensions=frozenset({".pdf"}),
)
WRONG_TYPE = N_("I cannot take this kind of file here. Please send {kinds}.")
TOO_LARGE = N_("That file is too large: at most {limit} MB is taken. Please send a smaller one.")
ALBUM = N_("Only one file is taken here: I kept the first of your album and left the others.")


def accepts(accepted: Accepted, file: Attachment) -> bool:
    if file.kind == PHOTO:
        return accepted.photos
    mime = (file.mime_type or "").lower()
    if mime in accepted.mime_types:
        return True
    name = (file.file_name or "").lower()
    generic = mime in ("", "application/octet-stream")
    return generic and any(name.endswith(ext) for ext in accepted.extensions)


async def take_file(ctx: Ctx, accepted: Accepted) -> dict[str, Any] | None:
    """The event's file as kept in a flow's data, or None after telling the member what to
    send instead. The first file of an album is taken (and the member told so)."""
    file = ctx.event.attachment
    if file is None:
        return None
    if not accepts(accepted, file):
        await ctx.reply(ctx._(WRONG_TYPE).format(kinds=ctx._(accepted.kinds)))
        return None
    if file.size is not None and file.size > FILE_MAX:
        limit = ctx.t.number(FILE_MAX // (1024 * 1024))
        await ctx.reply(ctx._(TOO_LARGE).format(limit=limit))
        return None
    if ctx.take_album():
        await ctx.reply(ctx._(ALBUM))
    kept = asdict(file)
    kept.pop("media_group_id")
    return kept


def file_ref(kept: dict[str, Any] | None) -> FileRef | None:
    """The file a flow kept (``take_file``), to send on by its id."""
    return FileRef(kept["kind"], kept["file_id"]) if kept else None


def poster_step(following: str) -> Step:
    """An optional poster (a photo or a PDF, kept in ``ctx.data["file"]``), or No file;
    then the flow goes on to ``following``. /broadcast and /post ask it the same way."""
    no_file = "nofile"

    async def ask(ctx: Ctx) -> None:
        await ctx.reply(
            ctx._(
                N_(
                    "A poster with it? Send a photo or a PDF: the text becomes its caption. Or press No file."
                )
            ),
            ctx.keyboard([ctx.button(ctx._(N_("No file")), no_file)]),
        )

    async def receive(ctx: Ctx) -> None:
        kept = await take_file(ctx, POSTER)
        if kept is None:  # the admin was told what to send instead
            return
        ctx.data["file"] = kept
        await ctx.goto(following)

    async def skipped(ctx: Ctx) -> None:
        if ctx.value != no_file:
            await ctx.reprompt()
            return
        ctx.data["file"] = None
        await ctx.clear_buttons()
        await ctx.goto(following)

    return Step(
        ask, N_("Please send a photo or a PDF, or press No file."),
        on_button=skipped, on_media=receive, next=(following,),
    )  # fmt: skip
