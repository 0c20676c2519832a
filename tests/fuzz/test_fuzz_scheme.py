"""Fuzzing the scheme-file loader (TOML and JSON), and allocating with what it accepts."""

from __future__ import annotations

import json
import random
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.fuzz import mutate
from tests.fuzz.harness import fuzzer
from tests.fuzz.targets import load_and_allocate, seeds

TOML_SEEDS = seeds("scheme", ".toml")
JSON_SEEDS = seeds("scheme", ".json")
DOCUMENTS = [tomllib.loads(p.read_text(encoding="utf-8")) for p in TOML_SEEDS] + [
    json.loads(p.read_text(encoding="utf-8")) for p in JSON_SEEDS
]


@fuzzer(
    "scheme_bytes",
    data=st.binary(max_size=600),
    suffix=st.sampled_from([".toml", ".json"]),
)
def scheme_bytes(data: bytes, suffix: str) -> None:
    """Any bytes as a scheme file (not UTF-8, a BOM, NULs, …)."""
    load_and_allocate(data, suffix)


@fuzzer(
    "scheme_toml_mutated",
    cost=2,
    seed=st.sampled_from(TOML_SEEDS),
    rnd=st.randoms(use_true_random=False),
)
def scheme_toml_mutated(seed: Path, rnd: random.Random) -> None:
    """A real scheme file with a few edits to its text (tokens, deep nesting, long dotted
    keys, odd numbers)."""
    text = mutate.mutate_text(seed.read_text(encoding="utf-8"), rnd)
    load_and_allocate(text.encode("utf-8", "surrogatepass"), ".toml")


@fuzzer(
    "scheme_json_mutated",
    cost=2,
    seed=st.sampled_from(JSON_SEEDS),
    rnd=st.randoms(use_true_random=False),
)
def scheme_json_mutated(seed: Path, rnd: random.Random) -> None:
    """A JSON scheme file mutated as a document (values retyped, removed, nested) or as bytes."""
    load_and_allocate(mutate.mutate_json(seed.read_bytes(), rnd), ".json")


@fuzzer(
    "scheme_documents",
    cost=2,
    document=st.sampled_from(DOCUMENTS),
    rnd=st.randoms(use_true_random=False),
    as_toml=st.booleans(),
)
def scheme_documents(document: dict[str, object], rnd: random.Random, as_toml: bool) -> None:
    """A valid scheme with one to three values replaced by values of any type and size,
    written as TOML (when TOML can hold it) or JSON: type confusion at every key path."""
    for _ in range(rnd.randint(1, 3)):
        document = mutate.mutate_document(document, rnd)
    if as_toml and isinstance(document, dict):
        try:
            text = mutate.dumps(document, toml=True)
        except TypeError:
            pass  # None: TOML has no null, so the document goes as JSON
        else:
            load_and_allocate(text.encode("utf-8", "surrogatepass"), ".toml")
            return
    load_and_allocate(mutate.dumps(document).encode("utf-8", "surrogatepass"), ".json")


#: Finite numbers at the edges of binary64 and of money: what a valid scheme may still hold.
EXTREMES = (
    0,
    -0.0,
    -1,
    1e-300,
    5e-324,
    2.2250738585072014e-308,
    1 / 3,
    1 - 1e-16,
    0.1 + 0.2,
    1e15,
    10**18,
    10**30,
    1e308,
    1.7976931348623157e308,
)


def _numbers(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(value, dict):
        return [
            p for k, v in value.items() if k != "schema_version" for p in _numbers(v, (*path, k))
        ]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _numbers(v, (*path, i))]
    return [path] if isinstance(value, int | float) and not isinstance(value, bool) else []


@fuzzer(
    "scheme_numbers",
    cost=2,
    document=st.sampled_from(DOCUMENTS),
    rnd=st.randoms(use_true_random=False),
)
def scheme_numbers(document: dict[str, object], rnd: random.Random) -> None:
    """A valid scheme with one to three of its numbers (total, step, shares, weights, tiers,
    floors, caps, group limits) set to extreme finite values: it still loads, so this reaches
    the allocation with numbers at the edges of binary64."""
    document = json.loads(json.dumps(document))
    for _ in range(rnd.randint(1, 3)):
        *parents, key = rnd.choice(_numbers(document))
        holder: Any = document
        for part in parents:
            holder = holder[part]
        holder[key] = rnd.choice(EXTREMES)
    load_and_allocate(mutate.dumps(document, toml=True).encode(), ".toml")


test_scheme_bytes = scheme_bytes.test()
test_scheme_toml_mutated = scheme_toml_mutated.test()
test_scheme_json_mutated = scheme_json_mutated.test()
test_scheme_documents = scheme_documents.test()
test_scheme_numbers = scheme_numbers.test()
