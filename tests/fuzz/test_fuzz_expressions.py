"""Fuzzing the expression evaluator: ``Expression.parse`` then ``columns`` and ``evaluate``."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import strategies as st

from tests.fuzz import mutate
from tests.fuzz.harness import fuzzer
from tests.fuzz.targets import expression, seeds

EXPRESSION_SEEDS = seeds("expression", ".txt")

ATOMS = st.one_of(
    st.sampled_from(
        [
            "x",
            "y",
            "人口",
            "`人均GDP(元)`",
            "min",
            "z",
            "`x`",
            "`",
            "``",
            "_q0",
            "__x__",
            "ｘ",
            "True",
        ]
    ),
    st.sampled_from(
        ["0", "1", "-1", "0.5", "1e308", "1e309", "5e-324", "1_000", "0x1F", "1j", "9" * 400]
    ),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(repr),
)
OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==", "!=", " and ", " or "]
FUNCTIONS = ["min", "max", "abs", "log", "sqrt", "clip", "where", "exp", "len", "__import__"]


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map("".join),
        st.tuples(st.sampled_from(["-", "+", "not ", "~"]), inner).map("".join),
        inner.map(lambda e: f"({e})"),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=4)).map(
            lambda f: f"{f[0]}({', '.join(f[1])})"
        ),
        st.tuples(inner, st.sampled_from([".real", "[0]", " if x else ", ", "])).map("".join),
    )


#: Expressions from the grammar (and just beyond it: attributes, subscripts, unknown calls).
EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=25)


@fuzzer("expression_grammar", text=EXPRESSIONS)
def expression_grammar(text: str) -> None:
    """An expression built from the allowed grammar and its neighbours, on extreme values."""
    expression(text)


@fuzzer("expression_text", text=st.text(max_size=300))
def expression_text(text: str) -> None:
    """Any text as an expression."""
    expression(text)


@fuzzer(
    "expression_mutated",
    seed=st.sampled_from(EXPRESSION_SEEDS),
    rnd=st.randoms(use_true_random=False),
)
def expression_mutated(seed: Path, rnd: random.Random) -> None:
    """A real expression with a few edits (deep parentheses, long operator runs, odd chars)."""
    expression(mutate.mutate_text(seed.read_text(encoding="utf-8"), rnd))


@fuzzer(
    "expression_deep",
    depth=st.integers(1, 3000),
    shape=st.sampled_from(["-", "(", "max(x,", "not ", "x**"]),
)
def expression_deep(depth: int, shape: str) -> None:
    """Deeply nested expressions near the length limit: recursion must not escape."""
    closing = ")" * depth if "(" in shape else ""
    expression(shape * depth + "x" + closing)


test_expression_grammar = expression_grammar.test()
test_expression_text = expression_text.test()
test_expression_mutated = expression_mutated.test()
test_expression_deep = expression_deep.test()
