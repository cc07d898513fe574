"""Declared buttons: the data a button carries and the press read back come from one
declaration; what cannot be read back is an older message, and no handler sees it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.buttons import NUMBER, ROW, WORD, Buttons

STALE = "That button is from an older message."


class FakeCtx:
    def __init__(self, value: str) -> None:
        self.value = value
        self.answers: list[str | None] = []

    def _(self, message: str) -> str:
        return message

    async def answer(self, text: str | None = None, alert: bool = False) -> None:
        self.answers.append(text)


def group(guard: Any = None) -> tuple[Buttons, list[tuple[Any, ...]]]:
    seen: list[tuple[Any, ...]] = []
    buttons = Buttons("qa", guard)

    async def handler(ctx: Any, *args: Any) -> None:
        seen.append(args)

    buttons.on(buttons.action("sc", ROW, NUMBER), handler)
    buttons.on(buttons.action("lang", WORD), handler)
    buttons.on(buttons.action("menu"), handler)
    return buttons, seen


async def press(buttons: Buttons, data: str) -> FakeCtx:
    prefix, _, value = data.partition(":")
    assert prefix == buttons.prefix
    ctx = FakeCtx(value)
    await buttons.route(ctx)
    return ctx


async def test_a_button_is_read_back_as_the_values_it_was_built_with() -> None:
    buttons, seen = group()
    score, language, menu = buttons.presses()
    assert score.button("5", 42, 5).data == "qa:sc:42:5"
    await press(buttons, score.data(42, 5))
    await press(buttons, language.data("km"))
    await press(buttons, menu.data())
    assert seen == [(42, 5), ("km",), ()]


@pytest.mark.parametrize(
    "data",
    ["qa:sc:0:5", "qa:sc:42", "qa:sc:42:5:9", "qa:sc:abc:5", "qa:sc:99999999999:1",
     "qa:sc:４２:5", "qa:lang:", "qa:lang:k m", "qa:gone:1", "qa:", "qa:menu:1"],
)  # fmt: skip
async def test_a_garbled_forged_or_retired_press_is_an_older_message(data: str) -> None:
    buttons, seen = group()
    ctx = await press(buttons, data)
    assert seen == []
    assert ctx.answers == [STALE]


async def test_the_guard_runs_before_every_handler_and_can_refuse() -> None:
    refused: list[str] = []

    async def guard(ctx: Any) -> bool:
        refused.append(ctx.value)
        return False

    buttons, seen = group(guard)
    await press(buttons, "qa:menu")
    assert seen == [] and refused == ["menu"]


def test_the_64_byte_limit_and_the_argument_kinds_are_checked_when_building() -> None:
    buttons = Buttons("cp")
    word = buttons.action("w", WORD)
    with pytest.raises(ValueError, match="64 bytes"):
        Buttons("x" * 40).action("code", WORD).button("label", "y" * 30)
    with pytest.raises(ValueError):
        word.data("two words")
    with pytest.raises(ValueError):
        buttons.action("sc", ROW).data(0)
    with pytest.raises(TypeError):
        word.data()
    with pytest.raises(ValueError):
        buttons.action("w")  # a code is declared once
    with pytest.raises(ValueError):
        Buttons("f")  # the flows' own prefix


def test_an_action_without_a_handler_is_listed() -> None:
    buttons = Buttons("ad")
    declared = buttons.action("stats")
    assert buttons.unhandled() == [declared]
