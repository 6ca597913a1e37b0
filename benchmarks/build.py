"""`make bench`: build, writing-loop and test-suite timings. Prints figures, asserts nothing.

Everything runs in a temporary copy of the project (the tracked files are never edited):

  clean          `mkdocs build` with no cache: every snippet runs
  no-change      `mkdocs build` again: every snippet from the cache
  one-changed    one snippet edited (a comment appended), then `mkdocs build`
  imports        `import torch, matplotlib.pyplot` in a fresh interpreter
  snippets       the snippets' own run time, in one process after those imports
  edit-snippet   under `make serve LANGUAGE=en`: a snippet's printed output edited, until the
                 served page shows the new output (target: 8 s)
  edit-page      the same for a sentence added to a page (target: 8 s)
  tests          `make test`'s pytest run after the build (target: 7 minutes), with the time
                 each test file took (summed over its tests, both workers)

Medians of a few runs where a run is short. `python benchmarks/build.py tests` runs one measure.
"""

from __future__ import annotations

import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

from project import temporary_copy

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# .cache: the snippets' runs (only `clean` starts without them: it deletes them)
COPIED = ("docs", "snippets", "tests", "hooks", "checks", "text", "overrides", "benchmarks", "mkdocs.yml", "pytest.ini", "requirements.txt", "package-lock.json", ".cache")
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin", "HOME": "/tmp"}
MKDOCS = [PYTHON, "-m", "mkdocs", "build", "--quiet"]
REPEAT = 3


def copy_project() -> Path:
    folder = temporary_copy(COPIED, prefix="bench-")
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def timed(command, project, **options) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=project, check=True, env=ENV | options.pop("env", {}), **options)
    return time.perf_counter() - start


def median_of(action, repeat=REPEAT) -> float:
    return statistics.median(action() for _ in range(repeat))


def first_snippet(project: Path) -> Path:
    return sorted((project / "snippets").glob("*/*.py"))[0]


def clean(project):
    shutil.rmtree(project / ".cache", ignore_errors=True)
    shutil.rmtree(project / "site", ignore_errors=True)
    return timed(MKDOCS, project)


def one_changed(project):
    path = first_snippet(project)
    path.write_text(path.read_text() + f"\n# bench {time.time_ns()}\n")
    return timed(MKDOCS, project)


def snippets(project):
    code = (
        "import sys, time; sys.path.insert(0, 'hooks'); import snippet_runner, torch, matplotlib.pyplot;"
        "start = time.perf_counter(); [snippet_runner.run(name) for name in snippet_runner.all_snippets()];"
        "print(time.perf_counter() - start)"
    )
    output = subprocess.run([PYTHON, "-c", code], cwd=project, check=True, capture_output=True, text=True, env=ENV)
    return float(output.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def until(condition, timeout=300.0) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("no reload within the timeout")
        time.sleep(0.1)
    return time.perf_counter() - start


def page_holds(url: str, text: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return text in response.read().decode("utf-8")
    except OSError:
        return False


def edit_to_reload(project) -> dict[str, float]:
    """Under `make serve LANGUAGE=en`: seconds from saving a file to the served page showing it."""
    port = free_port()
    command = [PYTHON, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"]  # --no-livereload would stop the watching too
    env = ENV | {"HANDBOOK_LANGUAGE": "en", "SITE_URL": f"http://127.0.0.1:{port}/"}
    server = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {"edit-snippet": [], "edit-page": []}
    try:
        url = f"http://127.0.0.1:{port}/learning-rate/"
        until(lambda: page_holds(url, "</html>"), timeout=900)
        snippet = project / "snippets" / "learning_rate" / "gradient_descent.py"
        page = project / "docs" / "learning-rate.md"
        for attempt in range(REPEAT):
            marker = f"bench-{attempt}-{time.time_ns()}"
            snippet.write_text(snippet.read_text() + f'\nprint("{marker}")\n')
            results["edit-snippet"].append(until(lambda: page_holds(url, marker)))
            marker = f"bench-page-{attempt}-{time.time_ns()}"
            page.write_text(page.read_text() + f"\n`{marker}`\n")
            results["edit-page"].append(until(lambda: page_holds(url, marker)))
    finally:
        server.terminate()
        server.wait(30)
    return {name: statistics.median(times) for name, times in results.items()}


def test_suite(project) -> tuple[float, dict[str, float]]:
    """`make test`'s pytest run against the built site: wall seconds and seconds per test file."""
    report = project / ".cache" / "bench-tests.xml"
    command = [PYTHON, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", f"--junitxml={report}", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    subprocess.run(command, cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    per_file = defaultdict(float)
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        module = re.sub(r"\.Test\w+$", "", case.get("classname", ""))
        per_file[module.replace(".", "/") + ".py"] += float(case.get("time", 0))
    return wall, dict(sorted(per_file.items(), key=lambda item: -item[1]))


def main(selected: list[str]) -> int:
    project = copy_project()
    try:
        figures = {}

        def measure(name, action):
            if not selected or name in selected:
                figures[name] = action()
                print(f"  {name:<13} {figures[name]:7.2f} s", flush=True)

        measure("clean", lambda: clean(project))
        measure("no-change", lambda: median_of(lambda: timed(MKDOCS, project)))
        measure("one-changed", lambda: median_of(lambda: one_changed(project)))
        measure("imports", lambda: median_of(lambda: timed([PYTHON, "-c", "import torch, matplotlib.pyplot"], project)))
        measure("snippets", lambda: snippets(project))
        if not selected or {"edit-snippet", "edit-page"} & set(selected):
            for name, seconds in edit_to_reload(project).items():
                figures[name] = seconds
                print(f"  {name:<13} {seconds:7.2f} s   (target: <= 8 s)", flush=True)
        if not selected or "tests" in selected:
            if not (project / "site" / "index.html").is_file():
                timed(MKDOCS, project)
            wall, per_file = test_suite(project)
            print(f"  {'tests':<13} {wall:7.2f} s   (target: <= 420 s), time per test file:")
            for path, seconds in per_file.items():
                print(f"    {seconds:7.1f} s  {path}")
        print(f"{len(list((project / 'snippets').glob('*/*.py')))} snippets; medians of {REPEAT} runs where short")
    finally:
        shutil.rmtree(project, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
