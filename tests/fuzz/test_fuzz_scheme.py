"""Fuzzing the scheme-file loader (TOML and JSON), and allocating with what it accepts."""

from __future__ import annotations

import json
import random
import tomllib
from pathlib import Path

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


test_scheme_bytes = scheme_bytes.test()
test_scheme_toml_mutated = scheme_toml_mutated.test()
test_scheme_json_mutated = scheme_json_mutated.test()
test_scheme_documents = scheme_documents.test()
