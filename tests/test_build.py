"""The build pipeline: snippets run once and are cached, failures are loud, figures are stable.

Most tests build a small temporary project with the handbook's own hooks, so they exercise the
same code as `make site` without depending on the chapters' content.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import snippet_runner

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]

CONFIG = f"""
site_name: test
theme: {{name: material, font: false}}
markdown_extensions:
  - attr_list
  - admonition
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight
  - pymdownx.snippets: {{base_path: ["."], check_paths: true}}
  - pymdownx.arithmatex: {{generic: true}}
plugins:
  - mkdocs-jupyter: {{include: ["notebooks/*/*.ipynb"], execute: false}}
hooks:
  - {ROOT}/hooks/mathjax.py
  - {ROOT}/hooks/snippets.py
  - {ROOT}/hooks/claims.py
  - {ROOT}/hooks/shortcodes.py
"""

COUNTING_SNIPPET = '''"""Counts its runs

Appends a line to runs.txt each time it executes.
"""

# %%
from pathlib import Path

with open(Path(__file__).parent / "runs.txt", "a") as runs:
    runs.write("{label}\\n")
print("hello from {label}")
'''


def make_project(tmp_path, page, snippets=None, tests=""):
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_example.py").write_text(tests)
    for name, source in (snippets or {}).items():
        path = tmp_path / "snippets" / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


def build(project, clean_cache=False):
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(MKDOCS, cwd=project, capture_output=True, text=True, env=env)


def runs(project, chapter):
    path = project / "snippets" / chapter / "runs.txt"
    return path.read_text().split() if path.exists() else []


@pytest.mark.build
def test_a_snippet_that_raises_stops_the_build_naming_file_line_and_exception(tmp_path):
    broken = '"""Broken\n\nRaises on purpose.\n"""\n\n# %%\nx = 1\n\n# %%\ny = x / 0\n'
    good = COUNTING_SNIPPET.format(label="good")
    # Two snippets to run: they run in parallel worker processes, and the error still names its place.
    project = make_project(tmp_path, "# Page\n\n<!-- md:snippet demo/broken -->\n", {"demo/broken": broken, "demo/good": good})
    result = build(project)
    assert result.returncode != 0
    assert "snippet snippets/demo/broken.py, line 10: ZeroDivisionError: division by zero" in result.stderr
    assert not (project / "site" / "index.html").exists()


@pytest.mark.build
@pytest.mark.parametrize(
    "page, message",
    [
        ("![a figure](figures/demo/hello-7.svg)", "figures/demo/hello-7.svg"),
        ("<!-- md:snippet demo/nope -->", "names no snippet"),
        ('```python\n--8<-- "snippets/demo/nope.py"\n```', "snippets/demo/nope.py"),
        ("<!-- md:claim no-such-claim -->", "claim 'no-such-claim' is declared by no test"),
        ("<!-- md:figure demo/hello -->", "unknown shortcode '<!-- md:figure demo/hello -->'"),
    ],
    ids=["missing-figure", "unknown-snippet", "missing-include", "unknown-claim", "unknown-shortcode"],
)
def test_a_page_with_a_bad_reference_fails_the_strict_build_with_a_clear_message(tmp_path, page, message):
    snippet = COUNTING_SNIPPET.format(label="hello")
    project = make_project(tmp_path, f"# Page\n\n{page}\n", {"demo/hello": snippet})
    result = build(project)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.build
def test_each_snippet_runs_once_and_only_a_changed_snippet_reruns(tmp_path):
    page = "# Page\n\n<!-- md:snippet a/one -->\n\n<!-- md:output b/two -->\n"
    snippets = {"a/one": COUNTING_SNIPPET.format(label="one"), "b/two": COUNTING_SNIPPET.format(label="two")}
    project = make_project(tmp_path, page, snippets)
    assert build(project).returncode == 0
    assert runs(project, "a") == ["one"] and runs(project, "b") == ["two"]
    html = (project / "site" / "index.html").read_text()
    assert "hello from one" in html and "hello from two" in html

    assert build(project).returncode == 0  # no change: nothing reruns
    assert runs(project, "a") == ["one"] and runs(project, "b") == ["two"]

    changed = project / "snippets" / "b" / "two.py"
    changed.write_text(changed.read_text().replace("hello from", "hi from"))
    assert build(project).returncode == 0  # one snippet changed: only it reruns
    assert runs(project, "a") == ["one"] and runs(project, "b") == ["two", "two"]
    assert "hi from two" in (project / "site" / "index.html").read_text()


@pytest.mark.build
def test_a_claim_badge_names_its_test_and_links_to_its_line(tmp_path):
    tests = 'import pytest\n\n\n@pytest.mark.claim("demo-claim")\ndef test_demo():\n    pass\n'
    project = make_project(tmp_path, "# Page\n\nA sentence. <!-- md:claim demo-claim -->\n", tests=tests)
    assert build(project).returncode == 0
    html = (project / "site" / "index.html").read_text()
    assert 'data-claim="demo-claim"' in html
    assert 'data-test="tests/test_example.py::test_demo"' in html
    assert 'href="tests/test_example/#test_demo"' in html
    test_page = (project / "site" / "tests" / "test_example" / "index.html").read_text()
    assert 'id="test_demo"' in test_page and '<span class="nf">test_demo</span>' in test_page


@pytest.mark.build
def test_math_is_typeset_to_svg_at_build_time_and_cached_per_page(tmp_path):
    project = make_project(tmp_path, "# Page\n\nInline $x^2$ and\n\n$$\\frac{1}{1 - \\beta}$$\n")
    assert build(project).returncode == 0
    html = (project / "site" / "index.html").read_text()
    assert html.count("<mjx-container") == 2 and "\\frac" not in html
    assert "<path" in html and "<mjx-assistive-mml" in html  # glyphs drawn; MathML for screen readers

    [entry] = (project / ".cache" / "mathjax").glob("*/[0-9a-f]*.json")
    typeset = json.loads(entry.read_text())
    entry.write_text(json.dumps(typeset | {"html": ["<b id='from-the-cache'></b>", *typeset["html"][1:]]}))
    assert build(project).returncode == 0  # the same math: taken from the cache, not typeset again
    assert "from-the-cache" in (project / "site" / "index.html").read_text()

    entry.write_text('{"html": [')  # corrupt: typeset again, never trusted
    assert build(project).returncode == 0
    assert json.loads(entry.read_text()) == typeset


@pytest.mark.build
@pytest.mark.parametrize("tex", ["\\nosuchmacro x", "\\frac{1}"])
def test_bad_tex_fails_the_build_naming_the_page_and_the_tex(tmp_path, tex):
    project = make_project(tmp_path, f"# Page\n\nSee ${tex}$ here.\n")
    result = build(project)
    assert result.returncode != 0
    assert "index.md: " in result.stderr and f"in TeX: {tex}" in result.stderr


@pytest.mark.build
def test_tex_in_a_snippets_markdown_fails_the_build_instead_of_showing_raw_on_its_notebook_page(tmp_path):
    snippet = '"""Squares\n\nComputes $x^2$.\n"""\n\n# %%\nprint(3 ** 2)\n'
    project = make_project(tmp_path, "# Page\n\n<!-- md:output demo/square -->\n", {"demo/square": snippet})
    result = build(project)
    assert result.returncode != 0
    assert "snippets/demo/square.py: TeX '$x^2$'" in result.stderr


def test_a_corrupt_cache_entry_is_rerun_not_trusted(tmp_path):
    make_project(tmp_path, "", {"demo/hello": COUNTING_SNIPPET.format(label="hello")})
    first = snippet_runner.cached_run("demo/hello", tmp_path)
    assert first.executed
    entry = tmp_path / ".cache" / "snippets" / f"{first.key}.json"
    assert not snippet_runner.cached_run("demo/hello", tmp_path).executed
    for corrupt in ['{"key": "trunc', json.dumps({"key": "someone else's"}), ""]:
        entry.write_text(corrupt)
        again = snippet_runner.cached_run("demo/hello", tmp_path)
        assert again.executed and again.output == "hello from hello\n"
        assert json.loads(entry.read_text())["key"] == first.key
    assert runs(tmp_path, "demo") == ["hello"] * 4


def test_the_cache_key_changes_with_the_snippet_and_each_library_version(tmp_path, monkeypatch):
    make_project(tmp_path, "", {"demo/hello": COUNTING_SNIPPET.format(label="hello")})
    key = snippet_runner.cache_key("demo/hello", tmp_path)
    versions = {"torch": "0.0.1", "numpy": "0.0.1", "matplotlib": "0.0.1"}
    for library in snippet_runner.LIBRARIES:
        real = snippet_runner.importlib.metadata.version
        monkeypatch.setattr(
            snippet_runner.importlib.metadata, "version", lambda name, lib=library: versions[lib] if name == lib else real(name)
        )
        snippet_runner._environment.cache_clear()
        assert snippet_runner.cache_key("demo/hello", tmp_path) != key
        monkeypatch.undo()
        snippet_runner._environment.cache_clear()
    (tmp_path / "snippets" / "demo" / "hello.py").write_text(COUNTING_SNIPPET.format(label="other"))
    assert snippet_runner.cache_key("demo/hello", tmp_path) != key


def test_figures_are_byte_identical_across_separate_runs(snippet):
    in_process = snippet("learning_rate/gradient_descent").figures
    code = (
        "import json, snippet_runner;"
        "print(json.dumps(snippet_runner.run('learning_rate/gradient_descent').figures))"
    )
    env = os.environ | {"PYTHONPATH": str(ROOT / "hooks"), "PYTHONHASHSEED": "12345"}
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert json.loads(fresh.stdout) == in_process
    assert len(in_process) == 4 and all(svg.startswith("<?xml") for svg in in_process)


def test_the_notebook_holds_each_cell_with_the_outputs_of_the_same_run(snippet):
    result = snippet("learning_rate/gradient_descent")
    book = json.loads(snippet_runner.notebook(result))
    code_cells = [cell for cell in book["cells"] if cell["cell_type"] == "code"]
    assert [cell["source"] for cell in code_cells] == [c.source for c in result.cells if c.kind == "code"]
    stdout = "".join(o["text"] for cell in code_cells for o in cell["outputs"] if o["output_type"] == "stream")
    assert stdout == result.output
    svgs = [o["data"]["image/svg+xml"] for cell in code_cells for o in cell["outputs"] if "data" in o]
    assert svgs == result.figures
    assert book["cells"][0]["source"].startswith("# Gradient descent on f(x) = 4x²")
    # Byte-stable: mkdocs-jupyter's cache is keyed by the file's bytes (random cell ids missed it).
    assert snippet_runner.notebook(result) == snippet_runner.notebook(result)
