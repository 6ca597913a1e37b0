"""`make mutants`: does each constant a page depends on matter to a test or to the page?

For each snippet, each top-level UPPER_CASE constant with a literal value is changed, one at a
time (a number by about 10 %, a whole number by one, a flag flipped, the first number of a list or
dict changed so), in a temporary copy of the project. The snippet reruns there, then the claim
tests that name it. Each mutant ends up as:

  caught     a claim test fails: the tests hold the page to this constant's effect;
  changed    the tests pass, and a number the pages quote from the run changed with it, or the
             printed output that a page shows (`md:snippet` or `md:output`): the page follows
             the run (an input changed, the page shows the new value);
  survived   the tests pass and nothing the pages quote or print changed. The constant feeds
             nothing a page states (only a figure, say: shown as "figures only") or a claim is too
             loose.

The table lists every survivor by snippet and constant. An audit, not a CI step: it reruns every
snippet several times. `python benchmarks/mutants.py learning_rate momentum/ema_weights
momentum/sgd_path:STEPS` limits it to chapters, snippets or single constants.
"""

from __future__ import annotations

import ast
import functools
import json
import math
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from project import temporary_copy

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# .cache: the other snippets' runs, so that a mutant's claim tests rerun only the mutated snippet
COPIED = ("docs", "snippets", "tests", "hooks", "checks", "text", "overrides", "mkdocs.yml", "pytest.ini", ".cache")
SHOWN = re.compile(r"<!-- md:(?:snippet|output) (?P<name>[a-z0-9_]+/[a-z0-9_]+)[\s>]")
QUOTE = re.compile(r"<!-- md:(?:value|input|constant|table) (?P<name>[a-z0-9_]+/[a-z0-9_]+):(?P<path>[^\s>]+)")
RUN = (
    "import json, sys; sys.path.insert(0, 'hooks'); import snippet_runner as r; "
    "result = r.run(sys.argv[1]); "
    "print(json.dumps({'values': result.values, 'output': result.output, "
    "'figures': {l: f.svg for l, f in result.figures.items()}}))"
)


@dataclass
class Mutant:
    snippet: str
    constant: str
    line: int
    old: str
    new: str
    outcome: str = ""
    detail: str = ""


def constants(path: Path) -> list[tuple[str, ast.AST]]:
    """The top-level UPPER_CASE assignments with a literal value."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
                try:
                    ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
                found.append((name, node))
    return found


def changed(value):
    """The value changed a little: None when it holds nothing to change."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 1.1 if value else 0.1
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            new = changed(item)
            if new is not None:
                items = list(value)
                items[index] = new
                return type(value)(items)
    if isinstance(value, dict):
        for key, item in value.items():
            new = changed(item)
            if new is not None:
                return {**value, key: new}
    return None


def mutants(name: str) -> list[Mutant]:
    path = ROOT / "snippets" / f"{name}.py"
    found = []
    for constant, node in constants(path):
        value = ast.literal_eval(node.value)
        new = changed(value)
        if new is not None:
            found.append(Mutant(name, constant, node.lineno, ast.get_source_segment(path.read_text(), node.value), repr(new)))
    return found


@functools.cache
def page_sources() -> tuple[str, ...]:
    """Every page's Markdown, read once for all mutants."""
    return tuple(source.read_text(encoding="utf-8") for source in sorted((ROOT / "docs").rglob("*.md")))


def quoted(name: str) -> set[str]:
    """The paths of this snippet's values that some page quotes."""
    return {m["path"] for source in page_sources() for m in QUOTE.finditer(source) if m["name"] == name}


def shown(name: str) -> bool:
    """Whether some page shows this snippet's printed output (under its code, or alone)."""
    return any(m["name"] == name for source in page_sources() for m in SHOWN.finditer(source))


def lookup(values: dict, path: str):
    head = re.match(r"\w+", path)[0]
    value = values.get(head)
    for step in re.finditer(r"\[(?P<index>[^\]]+)\]|\.(?P<key>\w+)", path[len(head) :]):
        key = step["key"] if step["key"] is not None else step["index"].strip("'\"")
        try:
            value = value[int(key)] if isinstance(value, list) else value[key]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return value


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def project_copy() -> Path:
    folder = temporary_copy(COPIED, prefix="mutant-")
    (folder / ".cache").mkdir(exist_ok=True)
    return folder


def run_snippet(project: Path, name: str) -> dict | None:
    result = subprocess.run([PYTHON, "-c", RUN, name], cwd=project, capture_output=True, text=True)
    return json.loads(result.stdout.splitlines()[-1]) if result.returncode == 0 and result.stdout else None


def tests_of(name: str) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py") if name in p.read_text())


def judge(mutant: Mutant, original: dict) -> Mutant:
    project = project_copy()
    try:
        path = project / "snippets" / f"{mutant.snippet}.py"
        lines = path.read_text().splitlines(keepends=True)
        text = "".join(lines)
        node = next(node for constant, node in constants(path) if constant == mutant.constant)
        start = sum(len(line) for line in lines[: node.value.lineno - 1]) + node.value.col_offset
        end = sum(len(line) for line in lines[: node.value.end_lineno - 1]) + node.value.end_col_offset
        path.write_text(text[:start] + mutant.new + text[end:])
        run = run_snippet(project, mutant.snippet)
        if run is None:
            mutant.outcome, mutant.detail = "caught", "the snippet fails"
            return mutant
        tests = tests_of(mutant.snippet)
        env = os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}
        command = [PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not browser and not build", *tests]
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env) if tests else None
        if result is not None and result.returncode not in (0, 5):
            failed = re.findall(r"^FAILED (\S+)", result.stdout, re.M)
            mutant.outcome, mutant.detail = "caught", (failed[0] if failed else "a test fails")
            return mutant
        moved = [path for path in sorted(quoted(mutant.snippet)) if not same(lookup(original["values"], path), lookup(run["values"], path))]
        if moved:
            mutant.outcome, mutant.detail = "changed", ", ".join(moved[:4]) + (" ..." if len(moved) > 4 else "")
        elif shown(mutant.snippet) and original["output"] != run["output"]:
            mutant.outcome, mutant.detail = "changed", "the printed output"
        else:
            figures = [label for label in original["figures"] if original["figures"][label] != run["figures"].get(label)]
            mutant.outcome = "survived"
            mutant.detail = f"figures only ({', '.join(figures)})" if figures else "changes nothing quoted or drawn"
        return mutant
    finally:
        shutil.rmtree(project, ignore_errors=True)


def main(selected: list[str]) -> int:
    names = sorted(p.relative_to(ROOT / "snippets").with_suffix("").as_posix() for p in (ROOT / "snippets").glob("*/*.py"))
    picked = {item.partition(":")[0] for item in selected}
    if selected:
        names = [n for n in names if n in picked or n.split("/")[0] in picked]
    all_mutants = []
    project = project_copy()
    try:
        originals = {name: run_snippet(project, name) for name in names}
    finally:
        shutil.rmtree(project, ignore_errors=True)
    def wanted(name: str, constant: str) -> bool:
        return not selected or name in selected or name.split("/")[0] in selected or f"{name}:{constant}" in selected

    jobs = [(m, originals[name]) for name in names if originals[name] for m in mutants(name) if wanted(name, m.constant)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores
        for mutant in pool.map(lambda job: judge(*job), jobs):
            all_mutants.append(mutant)
            print(f"{mutant.outcome:9} {mutant.snippet}:{mutant.constant} {mutant.old} -> {mutant.new}  {mutant.detail}", flush=True)
    counts = {kind: sum(m.outcome == kind for m in all_mutants) for kind in ("caught", "changed", "survived")}
    print(f"\n{len(all_mutants)} mutants of {len(names)} snippets: {counts['caught']} caught by a claim test, "
          f"{counts['changed']} changed a number the pages quote, {counts['survived']} survived")
    survivors = [m for m in all_mutants if m.outcome == "survived"]
    if survivors:
        print("\nsurvivors (snippet, constant, what the change did):")
        for m in survivors:
            print(f"  snippets/{m.snippet}.py:{m.line} {m.constant}: {m.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
