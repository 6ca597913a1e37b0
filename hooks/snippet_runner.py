"""Run one snippet in-process and collect what the pages and the tests need.

The single place where snippets execute: the build (hooks/handbook.py) and pytest (the claim tests)
both call it, so a page never shows a figure or a number from code the tests did not run.

A snippet is a standalone script in Jupytext percent format: a header docstring (title + intro),
then ``# %%`` cells. Running it here means, as sphinx-gallery does for its examples:

* a fresh start: the random generators of ``random``, NumPy and torch seeded, matplotlib's
  rcParams reset to the handbook's style, one torch thread, warning filters restored afterwards;
* ``__name__ == "__main__"`` with the snippet installed as the ``__main__`` module, so that worker
  processes it starts with the ``spawn`` method (torch.multiprocessing) can import its functions;
* stdout captured per cell, and ``plt.show()`` saving every open figure as deterministic SVG under
  the label the snippet gave it (``plt.figure("loss-by-step")``), plus a phone layout of a figure
  too wide to read on a phone;
* the module-level values it leaves behind (numbers, strings, and lists and dicts of them)
  recorded by name, so that a page can quote them (hooks/values.py);
* no process outliving it: a child still running when it ends is killed, and the run fails.

Results are cached as JSON under ``.cache/snippets`` keyed by everything that can change them: the
snippet's bytes, this runner's source, the library versions, and the CPU kernels torch dispatches
to. A corrupt entry is rerun, never trusted.

torch and matplotlib are imported only when a snippet actually runs, so a build whose snippets are
all cached pays for neither.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.metadata
import io
import json
import math
import multiprocessing
import os
import platform
import random
import re
import subprocess
import sys
import time
import traceback
import types
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from files import write_atomic

ROOT = Path(__file__).resolve().parent.parent  # the handbook; tests pass other roots
# What a snippet's results depend on besides its own bytes. scikit-learn: the digits data file.
LIBRARIES = ("torch", "numpy", "matplotlib", "scikit-learn")
THREADS = 1  # one torch thread: the same sums in the build, in pytest and on any core count
SEED = 0
# Figures are drawn on white so that they read the same in the light and dark schemes.
FIGURE_STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "optimizer-handbook",  # fixed ids: byte-identical SVG across builds
    "svg.fonttype": "path",  # text as paths: no dependency on the reader's fonts
    "figure.dpi": 100,
}
# A phone shows a figure at about 358 CSS px (a 390 px screen less the page margins). Its smallest
# text must stay at 9 px or more there; a figure that would not gets a phone layout this wide.
PHONE_COLUMN_PX = 358
SMALLEST_TEXT_PX = 9
PHONE_WIDTH_IN = 5.0
PHONE_MIN_WIDTH_IN = 3.6  # narrower than this, panels have no room left for their data
FIGURE_LABEL = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CELL_MARKER = re.compile(r"^# %%(.*)$")
# matplotlib draws each text (as paths) under transform="... scale(s -s)", s = font size in pt / 100
TEXT_SCALE = re.compile(r'scale\((?P<s>[0-9.]+) -(?P=s)\)')
SVG_SIZE = re.compile(r'<svg[^>]*? width="(?P<width>[\d.]+)pt" height="(?P<height>[\d.]+)pt"')
VALUE_LIMIT = 20_000  # a recorded list holds at most this many numbers: values are for quoting


class SnippetError(RuntimeError):
    """A snippet failed. The message names the file, the line and the exception."""


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    first_line: int  # 1-based line of the cell's first source line in the file
    stdout: str = ""
    figures: list[str] = field(default_factory=list)  # labels of the figures this cell showed


@dataclass
class Figure:
    label: str
    svg: str
    phone: str | None = None  # the same figure laid out for a phone, when the desktop one is too wide

    @property
    def smallest_text_pt(self) -> float:
        return smallest_text_pt(self.svg)


@dataclass
class Result:
    name: str  # "<chapter>/<stem>", e.g. "learning_rate/gradient_descent"
    key: str
    title: str
    intro: str
    cells: list[Cell]
    figures: dict[str, Figure]  # by label, in the order plt.show() produced them
    values: dict  # the module-level values the snippet left, by name (JSON types)
    seconds: float = 0.0  # how long the run took
    executed: bool = False  # True when this process ran it (False: read from the cache)
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


# ---------------------------------------------------------------------------------------------
# The cache key


def cache_key(name: str, root: Path = ROOT) -> str:
    digest = hashlib.sha256(snippet_path(name, root).read_bytes())
    digest.update(json.dumps(environment(root), sort_keys=True).encode())
    digest.update(_runner_source())
    return digest.hexdigest()


@functools.cache
def _runner_source() -> bytes:
    """This runner's source: a change to how snippets run reruns every snippet."""
    return Path(__file__).read_bytes()


@functools.cache
def environment(root: Path = ROOT) -> dict[str, str]:
    """Everything besides the snippet that can change its results: library versions, Python, the
    number of torch threads, and the CPU kernels torch picks (AVX-512, AVX2 or the default ones
    round differently; ATEN_CPU_CAPABILITY and MKL_ENABLE_INSTRUCTIONS choose among them)."""
    found = {}
    for library in LIBRARIES:
        try:
            found[library] = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            found[library] = "not installed"
    found["python"] = platform.python_version()
    found["threads"] = str(THREADS)
    found["cpu capability"] = cpu_capability(root)
    found["MKL_ENABLE_INSTRUCTIONS"] = os.environ.get("MKL_ENABLE_INSTRUCTIONS", "")
    return found


def cpu_capability(root: Path = ROOT) -> str:
    """torch.backends.cpu.get_cpu_capability(), without importing torch when it was asked before
    on this CPU with these settings (the answer is kept under .cache/)."""
    if "torch" in sys.modules:
        return sys.modules["torch"].backends.cpu.get_cpu_capability()
    flags = next((line for line in _cpuinfo().splitlines() if line.startswith(("flags", "Features"))), "")
    probe = f"{flags}|{os.environ.get('ATEN_CPU_CAPABILITY', '')}|{_version('torch')}|{platform.machine()}"
    entry = root / ".cache" / "cpu-capability" / hashlib.sha256(probe.encode()).hexdigest()[:16]
    if entry.is_file():
        return entry.read_text().strip()
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    write_atomic(entry, answer)
    return answer


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()


def _version(library: str) -> str:
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# ---------------------------------------------------------------------------------------------
# Reading a snippet


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


# ---------------------------------------------------------------------------------------------
# Running a snippet


def run(name: str, root: Path = ROOT) -> Result:
    """Execute the snippet now, in this process, and return its result with its namespace."""
    path = snippet_path(name, root)
    title, intro, cells = split_cells(path.read_text(encoding="utf-8"))
    started = time.perf_counter()

    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    figures: dict[str, Figure] = {}
    current: list[Cell] = []
    module = types.ModuleType("__main__", f"{title}\n\n{intro}")
    module.__file__ = str(path)
    namespace = module.__dict__

    def show(*args, **kwargs):
        for number in plt.get_fignums():
            figure = capture(plt.figure(number), path, root)
            if figure.label in figures:
                raise SnippetError(f"snippet {path.relative_to(root)}: two figures are labelled '{figure.label}'")
            figures[figure.label] = figure
            current[0].figures.append(figure.label)
        plt.close("all")

    with fresh_start(module, path) as plt:
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
            except SnippetError:
                raise
            except BaseException as error:  # noqa: BLE001 - re-raised with its location (SystemExit too)
                raise SnippetError(_describe_failure(path, root, error)) from error
            finally:
                cell.stdout = buffer.getvalue()
        show()  # a figure left open without plt.show() is still captured
        _no_process_left(path, root)
    values = recorded_values(namespace)
    seconds = time.perf_counter() - started
    return Result(name, cache_key(name, root), title, intro, cells, figures, values, seconds, True, namespace)


@contextlib.contextmanager
def fresh_start(module: types.ModuleType, path: Path):
    """The state every snippet starts from, restored for the caller afterwards."""
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    saved_main, saved_argv, saved_show = sys.modules.get("__main__"), sys.argv, plt.show
    saved_threads, saved_dtype = torch.get_num_threads(), torch.get_default_dtype()
    saved_path = list(sys.path)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    torch.set_default_dtype(torch.float32)
    if "torch._dynamo" in sys.modules:  # a snippet that compiled before: its graphs, counters and records go
        torch._dynamo.reset()
        torch._dynamo.utils.counters.clear()
        torch._dynamo.utils.clear_compilation_metrics()
    sys.modules["__main__"], sys.argv = module, [str(path)]
    sys.path.insert(0, str(path.parent))  # as `python snippets/<chapter>/<name>.py` would have it
    try:
        with warnings.catch_warnings(), matplotlib.rc_context():
            matplotlib.rcdefaults()
            matplotlib.rcParams.update(FIGURE_STYLE)
            plt.close("all")
            yield plt
    finally:
        plt.show = saved_show
        plt.close("all")
        sys.path[:] = saved_path
        sys.argv = saved_argv
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        torch.set_num_threads(saved_threads)
        torch.set_default_dtype(saved_dtype)


def _no_process_left(path: Path, root: Path) -> None:
    children = multiprocessing.active_children()
    if children:
        for child in children:
            child.kill()
            child.join(5)
        raise SnippetError(
            f"snippet {path.relative_to(root)} left {len(children)} process(es) running "
            f"({', '.join(child.name for child in children)}); they were killed. Join every process it starts."
        )


def _describe_failure(path: Path, root: Path, error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
    line = frames[-1].lineno if frames else "?"
    shown = "".join(traceback.format_exception(error)).rstrip()
    return f"snippet {path.relative_to(root)}, line {line}: {type(error).__name__}: {error}\n{shown}"


# ---------------------------------------------------------------------------------------------
# Figures


def capture(figure, path: Path, root: Path) -> Figure:
    """Save a matplotlib figure under its label; add a phone layout when its text would be too small."""
    label = figure.get_label()
    if not FIGURE_LABEL.match(label or ""):
        raise SnippetError(
            f"snippet {path.relative_to(root)}: a figure has the label {label!r}. Give each figure a name "
            "that pages can refer to, lower-case words joined by hyphens: plt.figure(\"loss-by-step\") or "
            "plt.subplots(..., num=\"loss-by-step\") (fig.set_label works too)."
        )
    svg = _svg(figure)
    phone = None
    if text_px(svg, PHONE_COLUMN_PX) < SMALLEST_TEXT_PX and _lay_out_for_phone(figure):
        phone = _svg(figure)
        for _ in range(3):  # narrower until the smallest text reaches SMALLEST_TEXT_PX (small fonts, wide labels)
            width_pt, _ = svg_size_pt(phone)
            needed_pt = smallest_text_pt(phone) * PHONE_COLUMN_PX / SMALLEST_TEXT_PX
            if text_px(phone, PHONE_COLUMN_PX) >= SMALLEST_TEXT_PX or figure.get_size_inches()[0] <= PHONE_MIN_WIDTH_IN:
                break
            inches = max(PHONE_MIN_WIDTH_IN, figure.get_size_inches()[0] * 0.98 * needed_pt / width_pt)
            figure.set_size_inches(inches, figure.get_size_inches()[1])
            _tight(figure)
            phone = _svg(figure)
    return Figure(label, svg, phone)


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


def svg_size_pt(svg: str) -> tuple[float, float]:
    size = SVG_SIZE.search(svg[:3000])
    if size is None:
        raise ValueError("not a matplotlib SVG: no width and height in pt")
    return float(size["width"]), float(size["height"])


def smallest_text_pt(svg: str) -> float:
    """The smallest font size (pt) of the text in a matplotlib SVG; inf when it has no text."""
    return min((float(match["s"]) * 100 for match in TEXT_SCALE.finditer(svg)), default=math.inf)


def text_px(svg: str, shown_px: float) -> float:
    """The size in CSS px of the figure's smallest text when the figure is shown `shown_px` wide
    (never wider than its own size: 1 pt is 4/3 px)."""
    width_pt, _ = svg_size_pt(svg)
    return smallest_text_pt(svg) * min(shown_px, width_pt * 4 / 3) / width_pt


def _lay_out_for_phone(figure) -> bool:
    """Re-lay the figure out for a phone: PHONE_WIDTH_IN wide, its panels stacked in one column (two
    when they are many and small). False when it has parts this cannot move (colorbars, say)."""
    import matplotlib.gridspec

    panels: dict[tuple, list] = {}
    for axes in figure.axes:
        spec = axes.get_subplotspec()
        if spec is None:
            return False
        grid = spec.get_gridspec()
        if isinstance(grid, matplotlib.gridspec.GridSpecFromSubplotSpec):
            return False
        panels.setdefault((spec.rowspan.start, spec.colspan.start), []).append(axes)
    if not panels:
        return False
    rows, columns = next(iter(panels.values()))[0].get_subplotspec().get_gridspec().get_geometry()
    width, height = figure.get_size_inches()
    panel_aspect = (width / columns) / (height / rows)
    new_columns = 2 if len(panels) > 4 and width / columns < 3.2 else 1
    new_rows = math.ceil(len(panels) / new_columns)
    panel_height = min(max(PHONE_WIDTH_IN / new_columns / panel_aspect, 1.9), 3.6)
    grid = figure.add_gridspec(new_rows, new_columns)
    for index, (_, group) in enumerate(sorted(panels.items())):
        for axes in group:
            axes.set_subplotspec(grid[index // new_columns, index % new_columns])
    for axes in figure.axes:  # shared axes label only the outer panels, as plt.subplots does
        shared_x = len(axes.get_shared_x_axes().get_siblings(axes)) > 1
        shared_y = len(axes.get_shared_y_axes().get_siblings(axes)) > 1
        if shared_x and hasattr(axes, "_label_outer_xaxis"):
            axes.xaxis.set_tick_params(labelbottom=True)
            axes._label_outer_xaxis(skip_non_rectangular_axes=True)
        if shared_y and hasattr(axes, "_label_outer_yaxis"):
            axes.yaxis.set_tick_params(labelleft=True)
            axes._label_outer_yaxis(skip_non_rectangular_axes=True)
    figure.set_size_inches(PHONE_WIDTH_IN, panel_height * new_rows + (0.4 if figure._suptitle else 0))
    _tight(figure)
    return True


def _tight(figure) -> None:
    if type(figure.get_layout_engine()).__name__ != "ConstrainedLayoutEngine":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tight_layout warns about axes it cannot fit; the tests measure
            figure.tight_layout()


# ---------------------------------------------------------------------------------------------
# Values


class _NotPlain(Exception):
    pass


def recorded_values(namespace: dict) -> dict:
    """The module-level values a page may quote: numbers, strings, None, and lists, tuples and
    dicts of them; torch and NumPy scalars and small arrays become numbers and lists."""
    values = {}
    for name, value in namespace.items():
        if name.startswith("_") or isinstance(value, (types.ModuleType, types.FunctionType, type)):
            continue
        try:
            values[name] = _plain(value, [0])
        except _NotPlain:
            continue
    return values


def _plain(value, count: list[int]):
    count[0] += 1
    if count[0] > VALUE_LIMIT:
        raise _NotPlain
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _plain(value.tolist(), count)
    if type(value).__name__ in ("Tensor", "Parameter") and hasattr(value, "tolist"):
        if value.numel() > VALUE_LIMIT or value.is_sparse or value.is_complex() or value.is_meta:
            raise _NotPlain  # a meta tensor has no values; a sparse or complex one no plain form
        try:
            return _plain(value.detach().cpu().tolist(), count)
        except (RuntimeError, NotImplementedError, TypeError):
            raise _NotPlain from None
    if isinstance(value, (list, tuple)):
        return [_plain(item, count) for item in value]
    if isinstance(value, dict) and all(isinstance(key, (str, int, float, bool)) for key in value):
        return {str(key): _plain(item, count) for key, item in value.items()}
    raise _NotPlain


# ---------------------------------------------------------------------------------------------
# The cache


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
        data["figures"] = {label: Figure(**figure) for label, figure in data["figures"].items()}
        return Result(**data)
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        entry.unlink(missing_ok=True)  # corrupt or foreign: rebuild, never trust it
        return None


def store(result: Result, root: Path = ROOT) -> None:
    stored = {name: getattr(result, name) for name in ("name", "key", "title", "intro", "values", "seconds")}
    stored["cells"] = [asdict(cell) for cell in result.cells]
    stored["figures"] = {label: asdict(figure) for label, figure in result.figures.items()}
    write_atomic(_entry(result.name, root)[1], json.dumps(stored))


def cached_run(name: str, root: Path = ROOT) -> Result:
    """The snippet's result from the cache when its key matches, else run it and store it."""
    cached = load_cached(name, root)
    if cached is not None:
        return cached
    result = run(name, root)
    store(result, root)
    return result


def cached_run_all(names: list[str], root: Path = ROOT, workers: int = os.cpu_count() or 1, report=None) -> dict[str, Result]:
    """Results for every name. Snippets missing from the cache run once each, in `spawn`ed worker
    processes when more than one is missing (they are independent scripts; a fresh interpreter per
    worker shares no state with the build). `report(name, result)` hears of each one as it is ready."""
    report = report or (lambda name, result: None)
    results = {name: load_cached(name, root) for name in names}  # each cache entry is read once
    for name, result in results.items():
        if result is not None:
            report(name, result)
    missing = [name for name, result in results.items() if result is None]
    if len(missing) > 1 and workers > 1:
        context = multiprocessing.get_context("spawn")
        here = str(Path(__file__).resolve().parent)
        if here not in sys.path:  # a spawned worker imports this module from the sys.path it is given
            sys.path.append(here)
        with ProcessPoolExecutor(min(workers, len(missing)), mp_context=context) as pool:
            futures = {pool.submit(_run_into_cache, name, root): name for name in missing}
            for future in as_completed(futures):
                error = future.result()
                if error:
                    for other in futures:
                        other.cancel()
                    raise SnippetError(error)
                name = futures[future]
                results[name] = load_cached(name, root)
                report(name, results[name] or cached_run(name, root))
    for name in missing:
        if results[name] is None:
            results[name] = cached_run(name, root)
            report(name, results[name])
    return results


def _run_into_cache(name: str, root: Path) -> str | None:
    """Worker: run one snippet into the cache; the error message (not the exception) comes back."""
    try:
        store(run(name, root), root)
    except SnippetError as error:
        return str(error)
    return None
