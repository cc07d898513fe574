"""Every flow's graph, printed (``pytest -s``) and checked: each step is reached from an
entry step, each step goes somewhere or may end the flow, and every name is a step. And
``ctx.goto`` keeps to the declared edges: strictly in the tests, with a warning in
production."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import handlers
from bot.core.context import Context
from bot.core.events import Event, EventKind, User
from bot.core.flow import Flow, Step
from bot.core.i18n import Translations
from bot.core.ports import Conversation, SystemClock

ALL_FLOWS = [flow for router in handlers.all_routers() for flow in router.flows.values()]


def problems(flow: Flow) -> list[str]:
    """What is wrong with the flow's declared graph (nothing, for a sound one)."""
    found = [f"entry {name!r} is no step" for name in flow.entry if name not in flow.steps]
    found += [
        f"{name} -> {target!r}: no such step"
        for name, step in flow.steps.items()
        for target in step.next
        if target not in flow.steps
    ]
    reached, todo = set(flow.entry), list(flow.entry)
    while todo:
        step = flow.steps.get(todo.pop())
        for target in step.next if step else ():
            if target not in reached:
                reached.add(target)
                todo.append(target)
    found += [f"{name}: nothing reaches it" for name in flow.steps if name not in reached]
    found += [
        f"{name}: reaches nothing and does not end the flow"
        for name, step in flow.steps.items()
        if not step.next and not step.ends
    ]
    return found


@pytest.mark.parametrize("flow", ALL_FLOWS, ids=lambda flow: flow.name)
def test_flow_graph_is_sound(flow: Flow) -> None:
    print("\n" + flow.graph())
    assert problems(flow) == []


def test_the_check_finds_each_fault() -> None:
    async def prompt(_ctx: Context[Any, Any]) -> None:
        return None

    step = Step(prompt, "hint")
    lost = Flow("lost", {"a": Step(prompt, "hint", next=("b",)), "b": step, "c": step}, ("a",))
    assert problems(lost) == [
        "c: nothing reaches it",
        "b: reaches nothing and does not end the flow",
        "c: reaches nothing and does not end the flow",
    ]
    with pytest.raises(ValueError, match="names no step 'd'"):
        Flow("bad", {"a": Step(prompt, "hint", next=("d",))}, ("a",))
    with pytest.raises(ValueError, match="entry names no step 'x'"):
        Flow("bad", {"a": Step(prompt, "hint", ends=True)}, ("x",))


def test_every_flow_is_printed() -> None:
    assert {flow.name for flow in ALL_FLOWS} >= {"signup", "profile", "broadcast", "newcomp"}
    assert "  consent -> name [ends]" in next(f for f in ALL_FLOWS if f.name == "signup").graph()


# -- ctx.goto and ctx.start_flow keep to the declared edges ----------------------------------
prompted: list[str] = []


def _prompt(name: str) -> Any:
    async def prompt(_ctx: Context[Any, Any]) -> None:
        prompted.append(name)

    return prompt


TWO_STEPS = Flow(
    "two",
    {
        "a": Step(_prompt("a"), "hint", next=("b",)),
        "b": Step(_prompt("b"), "hint", ends=True),
    },
    entry=("a",),
)


def _context(translations: Translations, strict: bool) -> Context[None, None]:
    return Context(
        event=Event(1, EventKind.TEXT, User(7, "Dara"), chat_id=7),
        t=translations.for_language("en"),
        messenger=None,  # type: ignore[arg-type]  # these prompts send nothing
        session=None,
        conversation=Conversation(7),
        clock=SystemClock(),
        flows={"two": TWO_STEPS},
        translators=translations,
        strict_flows=strict,
    )


async def test_declared_edges_pass_in_strict_mode(translations: Translations) -> None:
    prompted.clear()
    ctx = _context(translations, strict=True)
    await ctx.start_flow("two", "a")
    await ctx.goto("b")
    assert prompted == ["a", "b"] and ctx.conversation.step == "b"


async def test_an_undeclared_edge_raises_in_strict_mode(translations: Translations) -> None:
    ctx = _context(translations, strict=True)
    with pytest.raises(KeyError, match="does not start at 'b'"):
        await ctx.start_flow("two", "b")
    ctx = _context(translations, strict=True)
    await ctx.start_flow("two", "a")
    await ctx.goto("b")
    with pytest.raises(KeyError, match="step 'b' does not go to 'a'"):
        await ctx.goto("a")
    assert ctx.conversation.step == "b"


async def test_an_undeclared_edge_only_warns_otherwise(
    translations: Translations, caplog: pytest.LogCaptureFixture
) -> None:
    prompted.clear()
    ctx = _context(translations, strict=False)
    with caplog.at_level(logging.WARNING, logger="bot.core.context"):
        await ctx.start_flow("two", "b")
        await ctx.goto("a")
        await ctx.goto("a")  # no self-loop declared either
    assert prompted == ["b", "a", "a"] and ctx.conversation.step == "a"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "undeclared flow edge: flow 'two' does not start at 'b'",
        "undeclared flow edge: flow 'two': step 'b' does not go to 'a'",
        "undeclared flow edge: flow 'two': step 'a' does not go to 'a'",
    ]
