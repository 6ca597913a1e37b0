"""The build pipeline: snippets run once and are cached, failures are loud, figures are stable.

Most tests build a small temporary project with the handbook's own hook (hooks/handbook.py), so
they exercise the same code as `make site` without depending on the chapters' content.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import html_edits
import notebooks
import pytest
import search_index
import snippet_runner
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]

CONFIG = f"""
site_name: test
theme: {{name: material, font: false, custom_dir: {ROOT}/overrides}}
markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - tables
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight
  - pymdownx.snippets: {{base_path: ["."], check_paths: true}}
  - pymdownx.arithmatex: {{generic: true}}
plugins:
  - search
  - mkdocs-jupyter: {{include: ["notebooks/*/*.ipynb"], execute: false}}
hooks:
  - {ROOT}/hooks/handbook.py
"""

COUNTING_SNIPPET = '''"""Counts its runs

Appends a line to runs.txt each time it executes.
"""

# %%
from pathlib import Path

X0 = 2.0
with open(Path(__file__).parent / "runs.txt", "a") as runs:
    runs.write("{label}\\n")
answer = 6 * 7
print("hello from {label}")
'''

FIGURE_SNIPPET = '''"""Draws two figures

A line and a wide two-panel figure, in that order.
"""

# %%
import matplotlib.pyplot as plt

plt.figure("{first}", figsize=(4, 3))
plt.plot([1, 2, 3])
plt.show()

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3), num="{second}")
left.plot([3, 2, 1])
right.plot([1, 3, 2])
plt.show()
'''


def make_project(tmp_path, page, snippets=None, tests="", languages=None):
    config = CONFIG
    (tmp_path / "docs").mkdir()
    (tmp_path / "text").mkdir()
    shutil.copy(ROOT / "text" / "en.yml", tmp_path / "text" / "en.yml")
    (tmp_path / "docs" / "index.md").write_text(page)
    if languages:
        entries = "".join(
            f"        - {{locale: {locale}, name: {locale}, build: true{', default: true' if index == 0 else ''}}}\n"
            for index, locale in enumerate(languages)
        )
        config = config.replace(
            "plugins:\n", f"plugins:\n  - i18n:\n      docs_structure: suffix\n      languages:\n{entries}", 1
        )
    (tmp_path / "mkdocs.yml").write_text(config)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_example.py").write_text(tests)
    for name, source in (snippets or {}).items():
        path = tmp_path / "snippets" / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


def build(project):
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(MKDOCS, cwd=project, capture_output=True, text=True, env=env)


def runs(project, chapter):
    path = project / "snippets" / chapter / "runs.txt"
    return path.read_text().split() if path.exists() else []


def page_html(project, path="index.html"):
    return (project / "site" / path).read_text(encoding="utf-8")


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
        ("![a figure of the demo](figures/demo/hello/nope.svg)", "draws no figure labelled 'nope'"),
        ("![a figure of the demo](figures/demo/hello-7.svg)", "is not figures/<chapter>/<stem>/<label>.svg"),
        ("<!-- md:snippet demo/nope -->", "names no snippet"),
        ('```python\n--8<-- "snippets/demo/nope.py"\n```', "snippets/demo/nope.py"),
        ("<!-- md:claim no-such-claim -->", "claim 'no-such-claim' is declared by no test"),
        ("<!-- md:figure demo/hello -->", "unknown shortcode '<!-- md:figure demo/hello -->'"),
        ("Ends at <!-- md:value demo/hello:nothing -->.", "records no value 'nothing'"),
        ("Ends at <!-- md:value demo/nope:answer -->.", "no snippet 'demo/nope'"),
        ("Ends at <!-- md:input demo/hello:answer -->.", "an input is one of the snippet's UPPER_CASE constants"),
        ("The answer is 42.", "1 number(s) typed by hand"),
        ("<!-- md:cite nobody2020 -->", "no reference 'nobody2020'"),
    ],
    ids=[
        "missing-figure", "numbered-figure", "unknown-snippet", "missing-include", "unknown-claim",
        "unknown-shortcode", "unknown-value", "value-of-unknown-snippet", "input-not-a-constant",
        "typed-number", "unknown-reference",
    ],
)  # fmt: skip
def test_a_page_with_a_bad_reference_fails_the_strict_build_with_a_clear_message(tmp_path, page, message):
    snippets = {"demo/hello": COUNTING_SNIPPET.format(label="hello")}
    project = make_project(tmp_path, f"# Page\n\n{page}\n", snippets)
    result = build(project)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.build
def test_each_snippet_runs_once_and_only_a_changed_snippet_reruns(tmp_path):
    page = "# Page\n\n<!-- md:snippet a/one -->\n\n<!-- md:output b/two -->\n"
    snippets = {"a/one": COUNTING_SNIPPET.format(label="one"), "b/two": COUNTING_SNIPPET.format(label="two")}
    project = make_project(tmp_path, page, snippets)
    first = build(project)
    assert first.returncode == 0, first.stderr
    assert runs(project, "a") == ["one"] and runs(project, "b") == ["two"]
    assert "snippet a/one: ran in" in first.stderr and "snippets: 2 ran" in first.stderr
    html = page_html(project)
    assert "hello from one" in html and "hello from two" in html

    again = build(project)  # no change: nothing reruns
    assert again.returncode == 0 and "snippets: 0 ran (0.0 s of running), 2 from the cache" in again.stderr
    assert runs(project, "a") == ["one"] and runs(project, "b") == ["two"]

    changed = project / "snippets" / "b" / "two.py"
    changed.write_text(changed.read_text().replace("hello from", "hi from"))
    assert build(project).returncode == 0  # one snippet changed: only it reruns
    assert runs(project, "a") == ["one"] and runs(project, "b") == ["two", "two"]
    assert "hi from two" in page_html(project)


@pytest.mark.build
def test_values_are_filled_in_from_the_run_and_say_where_they_come_from(tmp_path):
    page = textwrap.dedent(
        """\
        ---
        description: Starts at <!-- md:input demo/hello:X0 -->.
        ---

        # Page

        The answer is <!-- md:value demo/hello:answer -->, from <!-- md:input demo/hello:X0 -->, and in a
        formula $a = <!-- md:value demo/hello:answer -->$. Built with <!-- md:version torch minor -->.
        """
    )
    project = make_project(tmp_path, page, {"demo/hello": COUNTING_SNIPPET.format(label="hello")})
    result = build(project)
    assert result.returncode == 0, result.stderr
    html = page_html(project)
    assert '<span class="value" data-from="demo/hello" data-name="answer">42</span>' in html
    assert '<span class="value" data-input="demo/hello:X0">2</span>' in html
    assert 'data-from="demo/hello:answer"' in html and "handbookvalue" not in html  # the formula's element
    assert '<meta name="description" content="Starts at 2.">' in html
    assert "numbers on 1 pages: 2 quoted from runs" in result.stderr


@pytest.mark.build
def test_figures_are_named_by_label_so_their_order_can_change_without_the_page_changing(tmp_path):
    page = "# Page\n\n![The rising line of the demo](figures/demo/two/line.svg)\n\n![The two panels of the demo](figures/demo/two/panels.svg)\n"
    project = make_project(tmp_path, page, {"demo/two": FIGURE_SNIPPET.format(first="line", second="panels")})
    assert build(project).returncode == 0
    before = {label: (project / "site" / "figures" / "demo" / "two" / f"{label}.svg").read_bytes() for label in ("line", "panels")}
    html = page_html(project)
    assert 'href="figures/demo/two/panels.svg"' in html and 'srcset="figures/demo/two/panels.phone.svg"' in html
    swapped = FIGURE_SNIPPET.format(first="line", second="panels")
    swapped = swapped.replace('plt.figure("line", figsize=(4, 3))\nplt.plot([1, 2, 3])\nplt.show()\n\n', "")
    swapped += '\nplt.figure("line", figsize=(4, 3))\nplt.plot([1, 2, 3])\nplt.show()\n'
    (project / "snippets" / "demo" / "two.py").write_text(swapped)
    assert build(project).returncode == 0
    after = {label: (project / "site" / "figures" / "demo" / "two" / f"{label}.svg").read_bytes() for label in ("line", "panels")}
    assert after == before


@pytest.mark.build
def test_a_figure_no_page_shows_fails_the_build(tmp_path):
    page = "# Page\n\n![The rising line of the demo](figures/demo/two/line.svg)\n"
    project = make_project(tmp_path, page, {"demo/two": FIGURE_SNIPPET.format(first="line", second="panels")})
    result = build(project)
    assert result.returncode != 0 and "figures/demo/two/panels.svg" in result.stderr and "shown on no page" in result.stderr


@pytest.mark.build
def test_a_figure_without_a_label_fails_the_build_saying_how_to_name_it(tmp_path):
    snippet = '"""Unnamed\n\nOne figure.\n"""\n\n# %%\nimport matplotlib.pyplot as plt\n\nplt.plot([1, 2])\nplt.show()\n'
    project = make_project(tmp_path, "# Page\n", {"demo/unnamed": snippet})
    result = build(project)
    assert result.returncode != 0 and 'plt.figure("loss-by-step")' in result.stderr


@pytest.mark.build
def test_a_claim_badge_names_its_test_and_links_to_its_line(tmp_path):
    tests = 'import pytest\n\n\n@pytest.mark.claim("demo-claim")\ndef test_demo():\n    pass\n'
    project = make_project(tmp_path, "# Page\n\nA sentence. <!-- md:claim demo-claim -->\n", tests=tests)
    assert build(project).returncode == 0
    html = page_html(project)
    assert 'data-claim="demo-claim"' in html
    assert 'data-test="tests/test_example.py::test_demo"' in html
    assert 'href="tests/test_example/#test_demo"' in html
    test_page = page_html(project, "tests/test_example/index.html")
    assert 'id="test_demo"' in test_page and '<span class="nf">test_demo</span>' in test_page
    assert "The tests were not run with this build." in test_page


@pytest.mark.build
def test_the_ledger_shows_test_outcomes_only_from_a_run_of_the_same_sources(tmp_path):
    import stamp

    tests = 'import pytest\n\n\n@pytest.mark.claim("demo-claim")\ndef test_demo():\n    pass\n'
    project = make_project(tmp_path, "# Page\n\nA sentence. <!-- md:claim demo-claim -->\n", tests=tests)
    (project / "docs" / "claims.md").write_text("# Claims\n\n<!-- md:claims-ledger -->\n")
    report = project / ".cache" / "test-results.xml"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        '<testsuites><testsuite name="pytest" timestamp="2026-12-01T10:00:00.000000">'
        '<testcase classname="tests.test_example" name="test_demo" time="0.001"/></testsuite></testsuites>'
    )
    report.with_suffix(".sources").write_text("0" * 64 + "\n")  # a run of other sources
    assert build(project).returncode == 0
    assert "The tests were not run with this build" in page_html(project, "claims/index.html")
    report.with_suffix(".sources").write_text(stamp.sources_hash(project) + "\n")
    assert build(project).returncode == 0
    ledger = page_html(project, "claims/index.html")
    assert "test run of 2026-12-01 10:00 (UTC)" in ledger and "1 of 1 claims passed, 0 failed" in ledger and "· passed" in ledger
    assert "Result: passed." in page_html(project, "tests/test_example/index.html")


@pytest.mark.build
def test_math_is_typeset_to_svg_at_build_time_and_cached_per_page(tmp_path):
    project = make_project(tmp_path, "# Page\n\nInline $x^2$ and\n\n$$\\frac{1}{1 - \\beta}$$\n")
    assert build(project).returncode == 0
    html = page_html(project)
    assert html.count("<mjx-container") == 2 and "\\frac" not in html
    assert "<path" in html and "<mjx-assistive-mml" in html  # glyphs drawn; MathML for screen readers
    assert "MJX-SVG-styles" not in html and (project / "site" / "assets" / "stylesheets" / "mathjax.css").is_file()

    [entry] = (project / ".cache" / "mathjax").glob("*/[0-9a-f]*.json")
    typeset = json.loads(entry.read_text())
    entry.write_text(json.dumps(typeset | {"html": ["<b id='from-the-cache'></b>", *typeset["html"][1:]]}))
    assert build(project).returncode == 0  # the same math: taken from the cache, not typeset again
    assert "from-the-cache" in page_html(project)

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


@pytest.mark.build
def test_a_third_language_needs_only_its_catalog_and_page_twins(tmp_path):
    """A throwaway language: mkdocs.yml names it, text/fr.yml holds its words, index.fr.md its page."""
    tests = 'import pytest\n\n\n@pytest.mark.claim("demo-claim")\ndef test_demo():\n    pass\n'
    page = "# Page\n\nA sentence. <!-- md:claim demo-claim -->\n\n<!-- md:output demo/hello -->\n"
    project = make_project(tmp_path, page, {"demo/hello": COUNTING_SNIPPET.format(label="hi")}, tests, ["en", "zh", "fr"])
    for locale in ("zh", "fr"):
        (project / "docs" / f"index.{locale}.md").write_text(page.replace("A sentence.", f"A sentence in {locale}."))
    shutil.copy(ROOT / "text" / "zh.yml", project / "text" / "zh.yml")
    words = (ROOT / "text" / "en.yml").read_text().replace("badge: test", "badge: fr-test").replace('"Output of {name}.py"', '"fr output {name}"')
    (project / "text" / "fr.yml").write_text(words)
    result = build(project)
    assert result.returncode == 0, result.stderr
    fr = page_html(project, "fr/index.html")
    assert ">fr-test</a>" in fr and "fr output demo/hello" in fr and 'lang="fr"' in fr
    assert ">测试</a>" in page_html(project, "zh/index.html") and ">test</a>" in page_html(project)
    assert (project / "site" / "fr" / "search" / "search_index.json").is_file()

    (project / "text" / "fr.yml").write_text(words.replace("  dialog: Search\n", ""))
    result = build(project)
    assert result.returncode != 0 and "text/fr.yml differs from text/en.yml: missing ['search.dialog']" in result.stderr


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


@pytest.mark.parametrize("changed", ["torch", "numpy", "matplotlib", "scikit-learn", "cpu capability", "threads", "MKL_ENABLE_INSTRUCTIONS"])
def test_the_cache_key_changes_with_the_snippet_and_everything_its_results_depend_on(tmp_path, monkeypatch, changed):
    make_project(tmp_path, "", {"demo/hello": COUNTING_SNIPPET.format(label="hello")})
    key = snippet_runner.cache_key("demo/hello", tmp_path)
    real = snippet_runner.environment(tmp_path)
    assert changed in real
    monkeypatch.setattr(snippet_runner, "environment", lambda root=None: real | {changed: real[changed] + "-other"})
    assert snippet_runner.cache_key("demo/hello", tmp_path) != key
    monkeypatch.undo()
    (tmp_path / "snippets" / "demo" / "hello.py").write_text(COUNTING_SNIPPET.format(label="other"))
    assert snippet_runner.cache_key("demo/hello", tmp_path) != key


def test_the_cache_key_holds_the_cpu_capability_torch_reports():
    import torch

    assert snippet_runner.environment()["cpu capability"] == torch.backends.cpu.get_cpu_capability()


def test_every_snippet_starts_from_the_same_seeds_whatever_ran_before(tmp_path):
    draws = '"""Draws\n\nRandom numbers, unseeded.\n"""\n\n# %%\nimport random\n\nimport numpy as np\nimport torch\n\nvalues = [random.random(), float(np.random.rand()), torch.rand(1).item()]\n'
    make_project(tmp_path, "", {"demo/a": draws, "demo/b": draws})
    import torch

    torch.rand(5)  # the caller's own use of the generators must not leak in
    first = snippet_runner.run("demo/a", tmp_path).values["values"]
    second = snippet_runner.run("demo/b", tmp_path).values["values"]
    assert first == second


def test_a_snippet_that_leaves_a_process_running_fails_and_the_process_is_killed(tmp_path):
    leaves = (
        '"""Leaves\n\nStarts a process and does not join it.\n"""\n\n# %%\nimport multiprocessing\nimport time\n\n\n'
        "def wait():\n    time.sleep(60)\n\n\n"
        'if __name__ == "__main__":\n    child = multiprocessing.get_context("spawn").Process(target=wait)\n    child.start()\n'
    )
    make_project(tmp_path, "", {"demo/leaves": leaves})
    with pytest.raises(snippet_runner.SnippetError, match="left 1 process"):
        snippet_runner.run("demo/leaves", tmp_path)
    import multiprocessing

    assert multiprocessing.active_children() == []


def test_figures_are_byte_identical_across_separate_runs(snippet):
    in_process = {label: figure.svg for label, figure in snippet("learning_rate/gradient_descent").figures.items()}
    code = (
        "import json, snippet_runner;"
        "print(json.dumps({l: f.svg for l, f in snippet_runner.run('learning_rate/gradient_descent').figures.items()}))"
    )
    env = os.environ | {"PYTHONPATH": str(ROOT / "hooks"), "PYTHONHASHSEED": "12345"}
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert json.loads(fresh.stdout) == in_process
    assert len(in_process) >= 4 and all(svg.startswith("<?xml") for svg in in_process.values())


def test_the_notebook_holds_each_cell_with_the_outputs_of_the_same_run(snippet):
    import notebooks

    result = snippet("learning_rate/gradient_descent")
    book = json.loads(notebooks.notebook(result, f"# {result.title}"))
    code_cells = [cell for cell in book["cells"] if cell["cell_type"] == "code"]
    assert [cell["source"] for cell in code_cells] == [c.source for c in result.cells if c.kind == "code"]
    stdout = "".join(o["text"] for cell in code_cells for o in cell["outputs"] if o["output_type"] == "stream")
    assert stdout == result.output
    svgs = [o["data"]["image/svg+xml"] for cell in code_cells for o in cell["outputs"] if "data" in o]
    assert svgs == [figure.svg for figure in result.figures.values()]
    assert book["cells"][0]["source"] == f"# {result.title}"
    # Byte-stable: mkdocs-jupyter's cache is keyed by the file's bytes (random cell ids missed it).
    assert notebooks.notebook(result, "x") == notebooks.notebook(result, "x")
    import nbformat  # valid nbformat 4, both forms (the page's links its figures instead)

    nbformat.validate(nbformat.reads(notebooks.notebook(result, "x"), as_version=4))
    nbformat.validate(nbformat.reads(notebooks.notebook(result, "x", lambda label: f"{label}.svg"), as_version=4))


def fake_config():
    """Just enough of MkDocs' configuration for the HTML edits: search on, two languages, a light
    and a dark palette chosen by media query."""
    languages = [SimpleNamespace(locale="en", default=True, build=True), SimpleNamespace(locale="zh", default=False, build=True)]
    palette = [{"media": "(prefers-color-scheme: light)", "scheme": "default"}, {"media": "(prefers-color-scheme: dark)", "scheme": "slate"}]
    return SimpleNamespace(
        site_url="/", theme={"palette": palette}, plugins={"search": object(), "i18n": SimpleNamespace(config=SimpleNamespace(languages=languages))}
    )


EDITS = {edit.__name__: edit for edit in [*html_edits.EDITS, *html_edits.TEMPLATE_EDITS] if edit is not html_edits.typeset_math}
# A page that should carry each edit's markup but does not (a theme upgrade changed it, say)
WITHOUT = {
    "focusable_code": '<html><head></head><body><div class="highlight"><pre><code>x = 1</code></pre></div></body></html>',
    "race_assets": '<html><body><div data-race="race"></div></body></html>',  # a race, and no </head> for its assets
}


@pytest.mark.parametrize("name", EDITS)
def test_every_html_edit_fails_loudly_naming_itself_when_its_markup_is_missing(name):
    """Each edit of the finished HTML names the markup it expects; a page without it fails the build."""
    notebook = name in ("focusable_notebook", "shared_notebook_css")
    page = html_edits.Page(where="page.md", url="zh/page/", locale="zh", is_notebook=notebook)
    html = WITHOUT.get(name, "<html><body><p>Nothing the edit expects.</p></body></html>")
    with pytest.raises(PluginError, match=f"html edit '{name}' on page.md: expected markup"):
        EDITS[name](html, page, fake_config())


@pytest.mark.parametrize("edit", html_edits.ASSET_EDITS, ids=lambda edit: edit.__name__)
def test_every_asset_edit_fails_loudly_naming_itself_when_its_rule_is_missing(edit, tmp_path):
    """Each edit of the theme's files names what it expects; a theme without it fails the build."""
    (tmp_path / "assets" / "stylesheets").mkdir(parents=True)
    (tmp_path / "assets" / "stylesheets" / "palette.0.min.css").write_text("body{color:red}")
    with pytest.raises(PluginError, match=f"'{edit.__name__}' on assets/stylesheets/palette.0.min.css: expected markup"):
        edit(tmp_path)


def search_page(content: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri="momentum.md"), content=content, markdown="", meta={})


LISTED_PAGE = '<p>prose</p><div class="highlight"><pre><span></span><code><span class="n">x</span></code></pre></div>'


def test_search_reads_the_prose_and_the_page_comes_back_whole():
    """The search plugin reads the page without its code listings; afterwards the page is whole."""
    page = search_page(LISTED_PAGE)
    search_index.show_prose(page)
    assert "<pre" not in page.content and "<p>prose</p>" in page.content
    page.content = search_index.SEARCH_ATTRIBUTE.sub("", page.content)  # what the search plugin does
    search_index.restore_page(page)
    assert page.content == LISTED_PAGE


def test_a_change_to_the_search_view_by_anything_else_fails_the_build():
    """Restoring the page would drop another plugin's change to the view: the build fails instead."""
    page = search_page(LISTED_PAGE)
    search_index.show_prose(page)
    page.content += "<p>added by another plugin</p>"
    with pytest.raises(PluginError, match="search restore_page on momentum.md"):
        search_index.restore_page(page)


def test_the_built_site_leaves_every_notebook_page_in_mkdocs_jupyters_cache():
    """A build of both languages keeps the HTML of every notebook page cached for the next one (the
    Chinese build renders none: with its cache on, it evicted them all)."""
    cached = list((ROOT / ".cache" / "mkdocs-jupyter").glob("*.json"))
    assert len(cached) == len(list((ROOT / "site" / "notebooks").glob("**/index.html")))


def test_a_missing_mkdocs_jupyter_fails_the_build_naming_the_notebook_cache():
    """Without the plugin (or its cache option) the hook cannot keep the cache: the build says so."""
    with pytest.raises(PluginError, match="notebooks keep_rendered_pages"):
        notebooks.keep_rendered_pages(SimpleNamespace(plugins={}), default_language=False)


ALLOWED_IMPORTS = set(sys.stdlib_module_names) | {"torch", "numpy", "matplotlib"}


@pytest.mark.parametrize("path", sorted((ROOT / "snippets").glob("*/*.py")), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_snippet_imports_only_the_standard_library_torch_numpy_and_matplotlib(path):
    """A snippet is a standalone script a reader can copy alone: it imports nothing else, not even
    a sibling snippet (the cache keys a run by its own file only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    assert not any(isinstance(node, ast.ImportFrom) and node.level for node in ast.walk(tree)), "a relative import"
    assert imported <= ALLOWED_IMPORTS, f"imports {sorted(imported - ALLOWED_IMPORTS)}"
