"""Where claims are made (pages) and where they are checked (tests), read statically.

A page marks a claim with `<!-- md:claim ID -->` right after the sentence it supports.
A test declares the claim it checks with `@pytest.mark.claim("ID")`. Tests are read with
`ast`, not imported, so the build learns which test checks which claim without running pytest.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIM_SHORTCODE = re.compile(r"<!-- md:claim (?P<id>[^ ]+) -->")
CLAIM_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class TestRef:
    path: str  # "tests/test_learning_rate.py"
    name: str  # "test_lr_one_diverges" or "TestX::test_y"
    line: int  # first line of the test, decorators included

    @property
    def nodeid(self) -> str:
        return f"{self.path}::{self.name}"

    @property
    def anchor(self) -> str:
        """The id of the test's section on the site's page of its test file."""
        return self.name.split("::")[0]


def test_sections(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, last line) of each top-level test or test class of a test file, the
    lines from its first decorator up to the next test; ("", 1, n) first for what precedes them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [
        (node.name, min([node.lineno] + [d.lineno for d in node.decorator_list]))
        for node in ast.parse("\n".join(lines)).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.lower().startswith("test")
    ]
    bounds = [start for _, start in starts] + [len(lines) + 1]
    sections = [("", 1, bounds[0] - 1)] if bounds[0] > 1 else []
    return sections + [(name, start, end - 1) for (name, start), end in zip(starts, bounds[1:])]


def declared(tests_dir: Path = ROOT / "tests") -> dict[str, list[TestRef]]:
    """claim id -> the tests that declare it."""
    claims: dict[str, list[TestRef]] = {}
    for path in sorted(tests_dir.glob("test_*.py")):
        relative = path.relative_to(tests_dir.parent).as_posix()
        for name, function in _test_functions(ast.parse(path.read_text(encoding="utf-8"))):
            for claim in _claim_marks(function):
                first_line = min([function.lineno] + [d.lineno for d in function.decorator_list])
                claims.setdefault(claim, []).append(TestRef(relative, name, first_line))
    return claims


def marked(docs_dir: Path = ROOT / "docs") -> dict[str, list[str]]:
    """claim id -> the pages (paths relative to docs/) that mark it."""
    claims: dict[str, list[str]] = {}
    for path in sorted(docs_dir.rglob("*.md")):
        for match in CLAIM_SHORTCODE.finditer(path.read_text(encoding="utf-8")):
            claims.setdefault(match["id"], []).append(path.relative_to(docs_dir).as_posix())
    return claims


@dataclass(frozen=True)
class Statement:
    claim: str
    page: str  # the page's path relative to docs/, without the language suffix
    title: str  # the page's first heading
    text: str  # the Markdown of the sentence(s) before the marker, on the same line


def statements(docs_dir: Path = ROOT / "docs", language: str = "") -> list[Statement]:
    """Every claim as a page in one language states it (`language="zh"`: the *.zh.md twins)."""
    suffix = f".{language}.md" if language else ".md"
    found = []
    for path in sorted(docs_dir.rglob(f"*{suffix}")):
        if not language and path.name.count(".") > 1:
            continue  # a translation
        text = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        page = path.relative_to(docs_dir).as_posix().removesuffix(suffix) + ".md"
        for line in text.splitlines():
            for match in CLAIM_SHORTCODE.finditer(line):
                before = CLAIM_SHORTCODE.sub("", line[: match.start()]).strip()
                found.append(Statement(match["id"], page, title, before))
    return found


def problems(root: Path = ROOT) -> list[str]:
    """Every way pages and tests disagree about claims; empty when they agree."""
    tests, pages = declared(root / "tests"), marked(root / "docs")
    found = []
    for claim, refs in sorted(tests.items()):
        if claim not in pages:
            found.append(f"{refs[0].nodeid} declares claim '{claim}', which no page marks")
        if len(refs) > 1:
            found.append(f"claim '{claim}' is declared by {len(refs)} tests: {', '.join(r.nodeid for r in refs)}")
    for claim, where in sorted(pages.items()):
        if claim not in tests:
            found.append(f"{where[0]} marks claim '{claim}', which no test declares")
    for claim in sorted(set(tests) | set(pages)):
        if not CLAIM_ID.match(claim):
            found.append(f"claim id '{claim}' is not lower-case words joined by hyphens")
    return found


def _test_functions(module: ast.Module):
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef) and inner.name.startswith("test"):
                    yield f"{node.name}::{inner.name}", inner


def _claim_marks(function: ast.FunctionDef):
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and ast.unparse(decorator.func) == "pytest.mark.claim"
            and decorator.args
            and isinstance(decorator.args[0], ast.Constant)
        ):
            yield decorator.args[0].value
