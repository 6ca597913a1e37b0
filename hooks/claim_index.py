"""Where claims are made (pages) and where they are checked (tests), read statically.

A page marks a claim with `<!-- md:claim ID -->` right after the sentence it supports. A test
declares the claim it checks with `@pytest.mark.claim("ID")`, or attaches it to one case of a
parametrized test: `pytest.param(..., marks=pytest.mark.claim("ID"), id="adam")`, written in the
decorator or in a module-level list the decorator names. Tests are read with `ast`, not imported,
so the build learns which test checks which claim without running pytest; tests/conftest.py checks
that pytest collects exactly these marks.
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
    case: str = ""  # the parametrized case the claim is attached to ("adam"), or "" for the whole test

    @property
    def nodeid(self) -> str:
        return f"{self.path}::{self.name}" + (f"[{self.case}]" if self.case else "")

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
    """claim id -> the tests (or test cases) that declare it."""
    claims: dict[str, list[TestRef]] = {}
    for path in sorted(tests_dir.glob("test_*.py")):
        relative = path.relative_to(tests_dir.parent).as_posix()
        module = ast.parse(path.read_text(encoding="utf-8"))
        lists = _module_lists(module)
        for name, function in _test_functions(module):
            first_line = min([function.lineno] + [d.lineno for d in function.decorator_list])
            for claim, case in _claim_marks(function, lists):
                claims.setdefault(claim, []).append(TestRef(relative, name, first_line, case))
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


def statements(docs_dir: Path = ROOT / "docs", suffix: str = ".md", others: tuple[str, ...] = ()) -> list[Statement]:
    """Every claim as the pages of one language state it: the files ending in `suffix`
    ("page.md" for the default language, "page.zh.md" for zh), minus those ending in one of
    `others` (the other languages' suffixes, when `suffix` is the default's ".md")."""
    found = []
    for path in sorted(docs_dir.rglob(f"*{suffix}")):
        if any(path.name.endswith(other) for other in others if other != suffix):
            continue
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
        tests_of_claim = list(dict.fromkeys(f"{ref.path}::{ref.name}" for ref in refs))  # cases of one test are one
        if len(tests_of_claim) > 1:
            found.append(f"claim '{claim}' is declared by {len(tests_of_claim)} tests: {', '.join(tests_of_claim)}")
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


def _module_lists(module: ast.Module) -> dict[str, ast.AST]:
    """Module-level assignments NAME = ..., which a parametrize decorator may name."""
    found = {}
    for node in module.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found[node.target.id] = node.value
    return found


def _is_claim_mark(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and ast.unparse(node.func) == "pytest.mark.claim"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _claim_marks(function: ast.FunctionDef, lists: dict[str, ast.AST]):
    """(claim, case) for the test's own claim marks and those of its parametrized cases."""
    for decorator in function.decorator_list:
        if _is_claim_mark(decorator):
            yield decorator.args[0].value, ""
        elif isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.parametrize":
            for argument in [*decorator.args[1:2], *(k.value for k in decorator.keywords if k.arg == "argvalues")]:
                if isinstance(argument, ast.Name) and argument.id in lists:
                    argument = lists[argument.id]
                yield from _param_claims(argument)


def _param_claims(values: ast.AST):
    if not isinstance(values, (ast.List, ast.Tuple)):
        return
    for item in values.elts:
        if not (isinstance(item, ast.Call) and ast.unparse(item.func) == "pytest.param"):
            continue
        keywords = {k.arg: k.value for k in item.keywords}
        case = keywords.get("id")
        case = case.value if isinstance(case, ast.Constant) and isinstance(case.value, str) else ""
        marks = keywords.get("marks")
        for mark in (marks.elts if isinstance(marks, (ast.List, ast.Tuple)) else [marks]) if marks is not None else []:
            if _is_claim_mark(mark):
                yield mark.args[0].value, case
