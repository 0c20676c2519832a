"""Mutations of seed files: bytes and text, JSON values, and XLSX packages member by member.

Every mutator takes a :class:`random.Random`, so that the same code serves Hypothesis
(``st.randoms(use_true_random=False)``, which shrinks) and the command-line test (a seeded
``random.Random``).
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from typing import Any

#: Text that readers treat specially, or that has broken parsers before.
TOKENS: tuple[str, ...] = (
    ",",
    '"',
    "'",
    "\n",
    "\r",
    "\r\n",
    "\t",
    ";",
    "\x00",
    "\ufeff",
    "\u200b",
    "\u2028",
    "\x85",
    "合计",
    "总计",
    "小计",
    "合 计",
    "一片区小计",
    "注：",
    "数据来源：",
    "制表人：",
    "单位：万元",
    "序号",
    "地区",
    "贫困人口",
    "农村人口",
    "=SUM(B2:B9)",
    "#DIV/0!",
    "#N/A",
    "#REF!",
    "1,234",
    "1_000",
    "１２３",
    "-0",
    "0",
    "-1",
    "1e308",
    "1e309",
    "-1e309",
    "5e-324",
    "2.2250738585072014e-308",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "9" * 40,
    "0x10",
    "2018-05-27",
    "12:30:00",
    "TRUE",
    "true",
    "null",
    "None",
    "[",
    "]",
    "{",
    "}",
    "=",
    ".",
    "[[",
    "]]",
    "\\",
    "\\u0000",
    "\\ud800",
    "`",
    "__import__",
    "**",
    "//",
    "(",
    ")",
    "max(",
    "min(",
    "log(",
    "where(",
    "clip(",
    "1/0",
    "-" * 50,
    "(" * 200,
    "[" * 3000,
    '{"a":' * 3000,
    "a." * 3000 + "a = 1",
    "x = [" * 500,
)


def mutate_bytes(data: bytes, rnd: random.Random, edits: int | None = None) -> bytes:
    """``data`` with a few random edits: flips, inserted tokens, deletions, repeats, truncation."""
    out = bytearray(data)
    for _ in range(edits if edits is not None else rnd.randint(1, 4)):
        at = rnd.randint(0, len(out))
        op = rnd.randrange(8)
        if op == 0 and out:  # flip a bit
            i = min(at, len(out) - 1)
            out[i] ^= 1 << rnd.randrange(8)
        elif op == 1 and out:  # overwrite a byte
            out[min(at, len(out) - 1)] = rnd.randrange(256)
        elif op == 2:  # insert random bytes
            out[at:at] = rnd.randbytes(rnd.randint(1, 8))
        elif op == 3:  # insert a token
            out[at:at] = rnd.choice(TOKENS).encode(rnd.choice(("utf-8", "utf-8", "gb18030")))
        elif op == 4 and out:  # delete a range
            del out[at : at + rnd.randint(1, 64)]
        elif op == 5 and out:  # repeat a chunk
            chunk = bytes(out[at : at + rnd.randint(1, 32)])
            out[at:at] = chunk * rnd.choice((2, 10, 1000))
        elif op == 6:  # truncate
            del out[at:]
        elif out:  # copy a chunk elsewhere
            chunk = bytes(out[at : at + rnd.randint(1, 64)])
            to = rnd.randint(0, len(out))
            out[to:to] = chunk
    return bytes(out)


def mutate_text(text: str, rnd: random.Random, edits: int | None = None) -> str:
    """``text`` with a few edits at character level (tokens, deletions, repeats, case)."""
    out = text
    for _ in range(edits if edits is not None else rnd.randint(1, 3)):
        at = rnd.randint(0, len(out))
        op = rnd.randrange(5)
        if op == 0:
            out = out[:at] + rnd.choice(TOKENS) + out[at:]
        elif op == 1:
            out = out[:at] + out[at + rnd.randint(1, 40) :]
        elif op == 2:
            out = (
                out[:at]
                + chr(rnd.choice((rnd.randrange(0x20), rnd.randrange(0x110000))))
                + out[at:]
            )
        elif op == 3:  # repeat a piece
            piece = out[at : at + rnd.randint(1, 20)]
            out = out[:at] + piece * rnd.choice((2, 50, 500)) + out[at:]
        else:  # change a number
            numbers = list(re.finditer(r"-?\d+(\.\d+)?", out))
            if numbers:
                m = rnd.choice(numbers)
                new = rnd.choice(
                    ("0", "-1", "1e308", "1e-320", "99999999999999999999", "0.0", "-0")
                )
                out = out[: m.start()] + new + out[m.end() :]
    return out


# --------------------------------------------------------------------------------- JSON
def random_value(rnd: random.Random, depth: int = 0) -> Any:
    """A JSON value of any type, sometimes an extreme one."""
    kind = rnd.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rnd.choice((True, False))
    if kind == 2:
        return rnd.choice((0, -1, 1, 2**63, -(2**64), 10**400, 7))
    if kind == 3:
        return rnd.choice((0.5, -0.0, 1e308, 5e-324, 1.7976931348623157e308, 0.12))
    if kind == 4:
        return rnd.choice(("", "x", "合计", "1,234", "nan", "inf", "\u2028", "\x85", "a" * 5000))
    if kind == 5:
        return rnd.choice(("toml", "json", "yaml", "地区", "0", "1e400"))
    if kind == 6:
        return [random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    if kind == 7:
        return {
            str(random_value(rnd, 3)): random_value(rnd, depth + 1)
            for _ in range(rnd.randint(0, 3))
        }
    return [[1, 2], [3]]  # ragged


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:20]):  # enough rows to reach every kind of cell
            out += _paths(v, (*prefix, i))
    return out


def mutate_document(doc: Any, rnd: random.Random) -> Any:
    """A copy of a JSON document with one value replaced, removed, wrapped or retyped."""
    doc = json.loads(json.dumps(doc))
    path = rnd.choice(_paths(doc)[1:] or [()])
    if not path:
        return random_value(rnd)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    op = rnd.randrange(5)
    if op == 0:
        parent[key] = random_value(rnd)
    elif op == 1:
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    elif op == 2:
        parent[key] = [parent[key]]
    elif op == 3:
        parent[key] = str(parent[key]) if not isinstance(parent[key], str) else {"v": parent[key]}
    else:  # deep nesting, made in the text by dumps (the json module cannot write it)
        parent[key] = f"DEEP-NEST-{rnd.choice((2, 50, 5000, 100000))}"
    return doc


def dumps(doc: Any, *, toml: bool = False, ensure_ascii: bool = False) -> str:
    """``doc`` as JSON or TOML text, each ``"DEEP-NEST-n"`` string made n nested arrays."""
    if toml:
        import tomli_w

        text = tomli_w.dumps(doc)
    else:
        text = json.dumps(doc, ensure_ascii=ensure_ascii, indent=1)
    return re.sub(r'"DEEP-NEST-(\d+)"', lambda m: "[" * int(m[1]) + "0" + "]" * int(m[1]), text)


def mutate_json(data: bytes, rnd: random.Random) -> bytes:
    """A JSON file mutated as a document (mostly) or as bytes."""
    if rnd.random() < 0.75:
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            return mutate_bytes(data, rnd)
        for _ in range(rnd.randint(1, 2)):
            doc = mutate_document(doc, rnd)
        return dumps(doc, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "surrogatepass")
    return mutate_bytes(data, rnd)


# --------------------------------------------------------------------------------- XLSX
def _xml_mutation(name: str, xml: bytes, rnd: random.Random) -> bytes:
    text = xml.decode("utf-8", "replace")
    op = rnd.randrange(10)
    if op == 0:  # truncate
        return xml[: rnd.randint(0, len(xml))]
    if op == 1:  # drop one attribute
        attributes = list(re.finditer(r'\s[\w:]+="[^"]*"', text))
        if attributes:
            m = rnd.choice(attributes)
            return (text[: m.start()] + text[m.end() :]).encode()
    if op == 2:  # a shared-string index out of range, or a cell made a shared string
        cells = list(re.finditer(r"<c [^>]*?>", text))
        if cells:
            m = rnd.choice(cells)
            head = re.sub(r'\st="[^"]*"', "", m.group(0))[:-1] + ' t="s">'
            rest = re.sub(
                r"^(.*?)</c>",
                r"<v>" + str(rnd.choice((99999, -1, 0, 2**40))) + "</v></c>",
                text[m.end() :],
                count=1,
                flags=re.S,
            )
            return (text[: m.start()] + head + rest).encode()
    if op == 3:  # a stale or a huge dimension
        ref = rnd.choice(("A1:B2", "A1", "A1:XFD1048576", "A1:D3", "B2:A1", "A0:Z0", ""))
        if "<dimension" in text:
            return re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text).encode()
        return text.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1).encode()
    if op == 4:  # odd cell and row references
        refs = list(re.finditer(r'\sr="[^"]*"', text))
        if refs:
            m = rnd.choice(refs)
            new = rnd.choice(
                ("A0", "0", "XFE1", "A1048577", "ZZZZ9", "A-1", "", "AA", "1048576", "A99999999")
            )
            return (text[: m.start()] + f' r="{new}"' + text[m.end() :]).encode()
    if op == 5:  # a value of another kind
        values = list(re.finditer(r"<v>[^<]*</v>", text))
        if values:
            m = rnd.choice(values)
            new = rnd.choice(("", "abc", "1e999", "nan", "-0", "#DIV/0!", "1" * 400, "2018-01-01"))
            return (text[: m.start()] + f"<v>{new}</v>" + text[m.end() :]).encode()
    if op == 6:  # a cell type changed
        types_ = list(re.finditer(r'\st="[^"]*"', text))
        if types_:
            m = rnd.choice(types_)
            new = rnd.choice(("s", "n", "b", "e", "str", "d", "inlineStr", "x"))
            return (text[: m.start()] + f' t="{new}"' + text[m.end() :]).encode()
    if op == 7:  # an element repeated (rows, cells, sheets)
        elements = list(re.finditer(r"<(row|c|sheet|si) [^>]*?/?>", text))
        if elements:
            m = rnd.choice(elements)
            return (text[: m.end()] + m.group(0) * rnd.choice((2, 100)) + text[m.end() :]).encode()
    if op == 8:  # an entity expansion or a DOCTYPE
        doctype = (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        )
        return (doctype + re.sub(r"^<\?xml[^>]*\?>", "", text)).encode()
    return mutate_bytes(xml, rnd)


def mutate_xlsx(data: bytes, rnd: random.Random) -> bytes:
    """An XLSX package with one member's XML mutated (mostly), a member dropped or added, or
    the zip's own bytes mutated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = {info.filename: package.read(info) for info in package.infolist()}
    except Exception:  # a package an earlier mutation broke (zlib.error, BadZipFile, …)
        return mutate_bytes(data, rnd)
    if not members or rnd.random() < 0.1:
        return mutate_bytes(data, rnd)
    names = sorted(members)
    # the sheets and the workbook are where readers break: pick them more often
    weighted = (
        names + [n for n in names if "sheet" in n or "workbook" in n or "sharedStrings" in n] * 3
    )
    name = rnd.choice(weighted)
    op = rnd.random()
    if op < 0.8:
        members[name] = _xml_mutation(name, members[name], rnd)
    elif op < 0.9:
        del members[name]
    else:
        members["xl/sharedStrings.xml"] = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1">'
            b"<si><t>" + rnd.choice(TOKENS).encode() + b"</t></si></sst>"
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for member, content in members.items():
            info = zipfile.ZipInfo(
                member, date_time=(2018, 5, 27, 0, 0, 0)
            )  # same input, same bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, content)
    return out.getvalue()
