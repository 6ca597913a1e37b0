"""Build timings (`make bench`): prints figures, asserts nothing.

  clean       rm .cache and site/, then `mkdocs build` (every snippet runs)
  no-change   `mkdocs build` again (every snippet cached)
  one-changed one snippet edited (a comment appended), then `mkdocs build`
  plain       the same pages built without the snippet, claim and shortcode hooks
  imports     `import torch, matplotlib.pyplot` in a fresh interpreter
  snippets    the snippets' own run time, measured in one process after those imports

Each is the median of several runs. Targets (issue #2): no-change within 0.5 s of plain;
clean within 1.3 x (imports + no-change + snippets).
"""

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import snippet_runner  # noqa: E402

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--quiet"]
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
REPEAT = 3


def timed(command, **options):
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env=ENV, **options)
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


def plain_config():
    """mkdocs.yml without the snippet, claim and shortcode hooks (INHERIT replaces the lists)."""
    path = ROOT / ".cache" / "bench" / "plain.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        f"docs_dir: {ROOT / 'docs'}\n"
        f"site_dir: {ROOT / '.cache' / 'bench' / 'site'}\n"
        f"hooks: [{ROOT / 'hooks' / 'mathjax.py'}]\n"
        "strict: false\n"
        "watch: []\n"
        f"theme: {{name: material, custom_dir: {ROOT / 'overrides'}, font: false}}\n"
    )
    return path


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
    figures = {
        "clean": median_of(clean_build),
        "no-change": median_of(lambda: timed(MKDOCS), repeat=5),
        "one-changed": median_of(one_changed_build),
        "plain": median_of(lambda: timed([*MKDOCS, "-f", str(plain_config())], stderr=subprocess.DEVNULL), repeat=5),
        "imports": median_of(lambda: timed([sys.executable, "-c", "import torch, matplotlib.pyplot"])),
        "snippets": median_of(snippets_run_time),
    }
    floor = figures["imports"] + figures["no-change"] + figures["snippets"]
    print(f"{len(snippet_runner.all_snippets())} snippets, median of {REPEAT}-5 runs each")
    for name, seconds in figures.items():
        print(f"  {name:<12} {seconds:6.2f} s")
    print(f"  {'floor':<12} {floor:6.2f} s  (imports + no-change + snippets)")
    print(f"no-change - plain = {figures['no-change'] - figures['plain']:+.2f} s   (target: <= +0.50 s)")
    print(f"clean / floor     = {figures['clean'] / floor:.2f}     (target: <= 1.30)")
    print(f"one-changed / no-change = {figures['one-changed'] / figures['no-change']:.2f}")


if __name__ == "__main__":
    main()
