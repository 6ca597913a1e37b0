"""Build timings (`make bench`): prints figures, asserts nothing.

  clean       rm .cache and site/, then `mkdocs build` (every snippet runs)
  no-change   `mkdocs build` again (every snippet cached)
  one-changed one snippet edited (a comment appended), then `mkdocs build`
  plain       the same pages built without the snippet, claim and shortcode hooks: the pages and
              generated files they produced, written out and published as they are
              (benchmarks/materialize.py)
  imports     `import torch, matplotlib.pyplot` in a fresh interpreter
  snippets    the snippets' own run time, measured in one process after those imports

Each is the median of several runs. Targets (issue #2): no-change within 0.5 s of plain;
clean within 1.3 x (imports + no-change + snippets).
"""

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import snippet_runner  # noqa: E402
import yaml  # noqa: E402

PIPELINE_HOOKS = {"snippets", "claims", "shortcodes"}  # what the plain build leaves out


class PermissiveLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose !ENV and !!python/name tags do not matter here."""


PermissiveLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
PermissiveLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--quiet"]
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
REPEAT = 3


def timed(command, env=ENV, **options):
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env=env, **options)
    return time.perf_counter() - start


def median_of(action, repeat=REPEAT):
    return statistics.median(action() for _ in range(repeat))


def clean_build():
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    shutil.rmtree(ROOT / "site", ignore_errors=True)
    return timed(MKDOCS)


def one_changed_build():
    path = snippet_runner.snippet_path(snippet_runner.all_snippets()[0])
    original = path.read_bytes()
    path.write_bytes(original + f"\n# bench {time.time_ns()}\n".encode())
    try:
        return timed(MKDOCS)
    finally:
        path.write_bytes(original)
        timed(MKDOCS)  # back to a warm cache for the next measurement


def project_hooks() -> list[str]:
    return yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=PermissiveLoader)["hooks"]


def write_config(name: str, docs_dir: Path, site_dir: Path, hooks: list[str]) -> Path:
    """A config beside mkdocs.yml (the hooks find snippets/, tests/ and .cache/ from its folder)."""
    path = ROOT / f"mkdocs.bench-{name}.yml"
    path.write_text(
        "INHERIT: mkdocs.yml\n"
        f"docs_dir: {docs_dir}\n"
        f"site_dir: {site_dir}\n"
        f"hooks: {json.dumps(hooks)}\n"
        "watch: []\n"
    )
    return path


def plain_build() -> float:
    """The same pages without the pipeline (benchmarks/materialize.py): a normal build writes out
    what the hooks produced, then the plain build renders that, median of five."""
    bench = ROOT / ".cache" / "bench"
    for folder in ("docs", "generated"):
        shutil.rmtree(bench / folder, ignore_errors=True)
    hooks = project_hooks()
    materialize = write_config("materialize", ROOT / "docs", bench / "materialized-site", [*hooks, "benchmarks/materialize.py"])
    presentation = [hook for hook in hooks if Path(hook).stem not in PIPELINE_HOOKS]
    plain = write_config("plain", bench / "docs", bench / "site", [*presentation, "benchmarks/materialize.py"])
    try:
        timed([*MKDOCS, "-f", str(materialize)], stderr=subprocess.DEVNULL)
        plain_env = ENV | {"PLAIN_BUILD": "1"}
        return median_of(lambda: timed([*MKDOCS, "-f", str(plain)], stderr=subprocess.DEVNULL, env=plain_env), repeat=5)
    finally:
        materialize.unlink()
        plain.unlink()


def snippets_run_time():
    code = (
        "import sys, time; sys.path.insert(0, 'hooks'); import snippet_runner, torch, matplotlib.pyplot;"
        "start = time.perf_counter();"
        "[snippet_runner.run(name) for name in snippet_runner.all_snippets()];"
        "print(time.perf_counter() - start)"
    )
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return float(output.stdout)


def main():
    measures = {
        "clean": lambda: median_of(clean_build),
        "no-change": lambda: median_of(lambda: timed(MKDOCS), repeat=5),
        "one-changed": lambda: median_of(one_changed_build),
        "plain": plain_build,
        "imports": lambda: median_of(lambda: timed([sys.executable, "-c", "import torch, matplotlib.pyplot"])),
        "snippets": lambda: median_of(snippets_run_time),
    }
    figures = {}
    for name, measure in measures.items():
        figures[name] = measure()
        print(f"  {name:<12} {figures[name]:6.2f} s", flush=True)
    floor = figures["imports"] + figures["no-change"] + figures["snippets"]
    print(f"{len(snippet_runner.all_snippets())} snippets, median of {REPEAT}-5 runs each")
    print(f"  {'floor':<12} {floor:6.2f} s  (imports + no-change + snippets)")
    print(f"no-change - plain = {figures['no-change'] - figures['plain']:+.2f} s   (target: <= +0.50 s)")
    print(f"clean / floor     = {figures['clean'] / floor:.2f}     (target: <= 1.30)")
    print(f"one-changed / no-change = {figures['one-changed'] / figures['no-change']:.2f}")


if __name__ == "__main__":
    main()
