"""Run one snippet in-process and collect what the page and the tests need.

The single place where snippets execute: the MkDocs hook (build) and pytest (claims)
both call it, so a page never shows a figure or a number from code the tests did not run.

A snippet is a standalone script in Jupytext percent format: a header docstring
(title + intro), then ``# %%`` cells. Running it here means:

* ``__name__ == "__main__"``, matplotlib's Agg backend, stdout captured per cell;
* ``plt.show()`` saves every open figure as deterministic SVG, then closes them;
* results are cached as JSON under ``.cache/snippets`` keyed by a hash of the snippet's
  bytes, this file's source and the library versions. A corrupt entry is rerun.

torch and matplotlib are imported only when a snippet actually runs, so a build whose
snippets are all cached pays for neither.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.metadata
import io
import json
import multiprocessing
import os
import platform
import re
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the handbook; tests pass other roots
LIBRARIES = ("torch", "numpy", "matplotlib")
# Figures are drawn on white so that they read the same in the light and dark schemes.
FIGURE_STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "optimizer-handbook",  # fixed ids: byte-identical SVG across builds
    "svg.fonttype": "path",  # text as paths: no dependency on the reader's fonts
    "figure.dpi": 100,
}
CELL_MARKER = re.compile(r"^# %%(.*)$")


class SnippetError(RuntimeError):
    """A snippet raised. The message names the file, the line and the exception."""


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    first_line: int  # 1-based line of the cell's first source line in the file
    stdout: str = ""
    figures: list[int] = field(default_factory=list)  # indices into Result.figures


@dataclass
class Result:
    name: str  # "<chapter>/<stem>", e.g. "learning_rate/gradient_descent"
    key: str
    title: str
    intro: str
    cells: list[Cell]
    figures: list[str]  # SVG documents, in the order plt.show() produced them
    executed: bool = False  # True when this process ran it (False: read from cache)
    namespace: dict | None = None  # the snippet's globals, only when executed

    @property
    def output(self) -> str:
        return "".join(cell.stdout for cell in self.cells)


def snippet_path(name: str, root: Path = ROOT) -> Path:
    path = root / "snippets" / f"{name}.py"
    if not path.is_file():
        known = ", ".join(all_snippets(root)) or "none"
        raise SnippetError(f"unknown snippet '{name}' (no file snippets/{name}.py; known: {known})")
    return path


def all_snippets(root: Path = ROOT) -> list[str]:
    folder = root / "snippets"
    return sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.glob("*/*.py"))


def cache_key(name: str, root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    digest.update(snippet_path(name, root).read_bytes())
    digest.update(_environment())
    return digest.hexdigest()


@functools.cache
def _environment() -> bytes:
    """This runner's source and the library versions: a change to either reruns every snippet."""
    versions = [f"{library}=={importlib.metadata.version(library)}" for library in LIBRARIES]
    return Path(__file__).read_bytes() + "|".join([*versions, platform.python_version()]).encode()


def split_cells(text: str) -> tuple[str, str, list[Cell]]:
    """Return (title, intro, cells). The header docstring becomes the title and intro."""
    lines = text.splitlines(keepends=True)
    module = ast.parse(text)
    title, intro, start = "", "", 0
    if module.body and isinstance(module.body[0], ast.Expr) and isinstance(module.body[0].value, ast.Constant):
        doc = str(module.body[0].value.value).strip()
        title, _, intro = doc.partition("\n")
        title, intro = title.strip(), intro.strip()
        start = module.body[0].end_lineno
    cells: list[Cell] = []
    kind, first, chunk = "code", start + 1, []

    def flush():
        source = "".join(chunk).strip("\n")
        if source.strip():
            if kind == "markdown":
                source = "\n".join(re.sub(r"^# ?", "", line) for line in source.splitlines())
            cells.append(Cell(kind, source, first + _leading_blank_lines(chunk)))

    for number, line in enumerate(lines[start:], start=start + 1):
        marker = CELL_MARKER.match(line)
        if marker:
            flush()
            kind = "markdown" if "[markdown]" in marker.group(1) else "code"
            first, chunk = number + 1, []
        else:
            chunk.append(line)
    flush()
    return title, intro, cells


def _leading_blank_lines(chunk: list[str]) -> int:
    count = 0
    for line in chunk:
        if line.strip():
            break
        count += 1
    return count


def run(name: str, root: Path = ROOT) -> Result:
    """Execute the snippet now, in this process, and return its result with its namespace."""
    path = snippet_path(name, root)
    text = path.read_text(encoding="utf-8")
    title, intro, cells = split_cells(text)

    import matplotlib
    import torch

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    figures: list[str] = []
    current: list[Cell] = []

    def show(*args, **kwargs):
        for number in plt.get_fignums():
            buffer = io.StringIO()
            plt.figure(number).savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
            figures.append(buffer.getvalue())
            current[0].figures.append(len(figures) - 1)
        plt.close("all")

    namespace = {"__name__": "__main__", "__file__": str(path), "__doc__": f"{title}\n\n{intro}"}
    original_show, original_threads = plt.show, torch.get_num_threads()
    # One thread: the same floating-point results in the build's workers, in pytest and on any
    # machine (a parallel reduction may add in another order), and no oversubscribed cores.
    torch.set_num_threads(1)
    try:
        with matplotlib.rc_context(FIGURE_STYLE):
            plt.close("all")
            plt.show = show
            for cell in cells:
                if cell.kind != "code":
                    continue
                current[:] = [cell]
                code = compile("\n" * (cell.first_line - 1) + cell.source, str(path), "exec")
                buffer = io.StringIO()
                try:
                    with contextlib.redirect_stdout(buffer):
                        exec(code, namespace)
                except Exception as error:  # noqa: BLE001 - re-raised with its location
                    raise SnippetError(_describe_failure(path, root, error)) from error
                finally:
                    cell.stdout = buffer.getvalue()
            show()  # a figure left open without plt.show() is still captured
    finally:
        plt.show = original_show
        torch.set_num_threads(original_threads)
        plt.close("all")
    return Result(name, cache_key(name, root), title, intro, cells, figures, executed=True, namespace=namespace)


def _describe_failure(path: Path, root: Path, error: Exception) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
    line = frames[-1].lineno if frames else "?"
    shown = "".join(traceback.format_exception(error)).rstrip()
    return f"snippet {path.relative_to(root)}, line {line}: {type(error).__name__}: {error}\n{shown}"


def _entry(name: str, root: Path) -> tuple[str, Path]:
    key = cache_key(name, root)
    return key, root / ".cache" / "snippets" / f"{key}.json"


def load_cached(name: str, root: Path = ROOT) -> Result | None:
    """The cached result whose key matches the snippet as it is now; None when there is none."""
    key, entry = _entry(name, root)
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        if data["key"] != key or data["name"] != name:
            raise ValueError("entry does not belong to this key")
        data["cells"] = [Cell(**cell) for cell in data["cells"]]
        return Result(**data)
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        entry.unlink(missing_ok=True)  # corrupt or foreign: rebuild, never trust it
        return None


def cached_run(name: str, root: Path = ROOT) -> Result:
    """The snippet's result from the cache when its key matches, else run it and store it."""
    cached = load_cached(name, root)
    if cached is not None:
        return cached
    result = run(name, root)
    stored = {
        "name": result.name,
        "key": result.key,
        "title": result.title,
        "intro": result.intro,
        "cells": [asdict(cell) for cell in result.cells],
        "figures": result.figures,
    }
    _, entry = _entry(name, root)
    entry.parent.mkdir(parents=True, exist_ok=True)
    temporary = entry.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(stored), encoding="utf-8")
    temporary.replace(entry)  # atomic: an interrupted build leaves no half-written entry
    return result


def cached_run_all(names: list[str], root: Path = ROOT, workers: int = os.cpu_count() or 1) -> dict[str, Result]:
    """Results for every name. Snippets missing from the cache run once each, in parallel worker
    processes when more than one is missing (they are independent scripts)."""
    results = {name: load_cached(name, root) for name in names}  # each cache entry is read once
    missing = [name for name, result in results.items() if result is None]
    if len(missing) > 1 and workers > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(workers, len(missing)), mp_context=context) as pool:
            for error in pool.map(_run_into_cache, missing, [root] * len(missing)):
                if error:
                    raise SnippetError(error)
    return {name: result or cached_run(name, root) for name, result in results.items()}


def _run_into_cache(name: str, root: Path) -> str | None:
    """Worker: run one snippet into the cache; the error message (not the exception) comes back."""
    try:
        cached_run(name, root)
    except SnippetError as error:
        return str(error)
    return None


def notebook(result: Result) -> str:
    """The executed notebook (.ipynb JSON) of a result: its cells with the outputs of that run."""
    import nbformat.v4 as nbf

    source = f"snippets/{result.name}.py"
    stem = result.name.rsplit("/", 1)[-1]
    header = (
        f"# {result.title}\n\n{result.intro}\n\n"
        f"Source: `{source}`. Download [{stem}.py]({stem}.py) or [{stem}.ipynb]({stem}.ipynb); "
        "the outputs below come from the same run that produced the handbook's figures."
    )
    cells = [nbf.new_markdown_cell(header)]
    count = 0
    for cell in result.cells:
        if cell.kind == "markdown":
            cells.append(nbf.new_markdown_cell(cell.source))
            continue
        count += 1
        outputs = []
        if cell.stdout:
            outputs.append(nbf.new_output("stream", name="stdout", text=cell.stdout))
        for index in cell.figures:
            outputs.append(nbf.new_output("display_data", data={"image/svg+xml": result.figures[index]}))
        cells.append(nbf.new_code_cell(cell.source, execution_count=count, outputs=outputs))
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"  # nbformat draws random ids: fixed ones keep the notebook byte-stable
    book = nbf.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    return json.dumps(book, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
