"""The JSON shapes documented in docs/cli.md, and a check of a command's document against its shape.

A shape is the JSON block under ``## <command>``: an object with fixed keys (all present, no others), an object
whose keys are ``<placeholders>`` (any keys), ``[shape]`` (a list of such), a type name: str, int, float,
bool, date, time (each may be null), or any other string: that very value."""

from __future__ import annotations

import json
import re

from nbacore.settings import PROJECT_DIR

DOC = PROJECT_DIR / "docs" / "cli.md"


def documented_shapes() -> dict[str, dict]:
    text = DOC.read_text(encoding="utf-8")
    shapes = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        name = section.split("\n", 1)[0].strip()
        block = re.search(r"```json\n(.*?)```", section, flags=re.S)
        if block:
            shapes[name] = json.loads(block.group(1))
    return shapes


def shape_problems(value, shape, where: str = "$") -> list[str]:
    """Where ``value`` departs from ``shape`` (empty when it fits)."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r:.60}"]
        if shape and all(k.startswith("<") for k in shape):
            return []  # keyed by names that vary (markets, rules): any keys
        problems = [f"{where}: missing key {k!r}" for k in shape if k not in value]
        problems += [f"{where}: undocumented key {k!r}" for k in value if k not in shape]
        for k in shape:
            if k in value:
                problems += shape_problems(value[k], shape[k], f"{where}.{k}")
        return problems
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r:.60}"]
        return [p for i, item in enumerate(value) for p in shape_problems(item, shape[0], f"{where}[{i}]")]
    if value is None:
        return []
    ok = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "date": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None,
        "time": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}.*", v),
    }.get(shape)
    if ok is None:  # not a type name: the value itself ("command": "picks")
        return [] if value == shape else [f"{where}: {value!r:.60} is not {shape!r}"]
    return [] if ok(value) else [f"{where}: {value!r:.60} is not a {shape}"]


def check_document(output: str, command: str) -> dict:
    """Parse ``output`` as ONE JSON document and assert it fits the documented shape of ``command``."""
    document = json.loads(output)  # one document: anything before or after it fails here
    assert document["command"] == command and document["schema_version"] == 1
    problems = shape_problems(document, documented_shapes()[command])
    assert not problems, "\n".join(problems[:20])
    return document
