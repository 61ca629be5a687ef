"""JSON Schemas of every source kind, from the Pydantic models, for editor autocompletion."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .errors import UsageError
from .kinds import KINDS

SCHEMA_DIR = "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def kind_schema(kind: str) -> dict[str, Any]:
    """The schema of one kind; Markdown kinds describe the front matter (the body is the text)."""
    schema = KINDS[kind].model.model_json_schema()
    schema["title"] = f"qunsop {KINDS[kind].label}（{kind}）"
    if KINDS[kind].markdown:
        schema["properties"].pop("body", None)
        schema["description"] = "Markdown 文件开头 --- 之间的字段；正文写在结束的 --- 之后"
    return {"$schema": DIALECT, **schema}


def schema_files() -> dict[str, str]:
    return {f"{kind}.schema.json": json.dumps(kind_schema(kind), ensure_ascii=False, indent=2)
            + "\n" for kind in KINDS}


def write_schemas(out: Path) -> list[Path]:
    """Write each schema that differs; a link in the folder is replaced, never followed."""
    if out.is_symlink():
        raise UsageError(f"{out} 是一个符号链接：JSON Schema 不会写到链接指向的地方，请换一个目录")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = out / name
        if path.is_symlink() or not path.is_file() or path.read_bytes() != text.encode():
            if path.is_symlink():
                path.unlink()
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(text.encode())
        written.append(path)
    return written


def schema_comment(kind: str, source: str) -> str:
    """The yaml-language-server line for a YAML source at repo-relative path `source`."""
    depth = source.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_DIR}/{kind}.schema.json\n"
