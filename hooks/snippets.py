"""MkDocs hook: run every snippet once per build (cached) and put what it made on the pages.

For snippets/<chapter>/<stem>.py the build publishes
  figures/<chapter>/<stem>-<n>.svg            every figure, numbered in plt.show() order;
  notebooks/<chapter>/<stem>.ipynb            the executed notebook, rendered by mkdocs-jupyter;
  notebooks/<chapter>/<stem>/<stem>.py|ipynb  the downloads offered on that notebook page.
Pages show a snippet with two shortcodes:
  <!-- md:snippet NAME -->          its code (included by pymdownx.snippets, folded), notebook link, output;
  <!-- md:snippet NAME:SECTION -->  only the named section of its code;
  <!-- md:output NAME -->           only its printed output.
"""

from __future__ import annotations

import posixpath
import re

import overlay
import snippet_runner
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

TEX = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[")  # $...$, \( or \[ in a snippet's Markdown
BLOCK_SHORTCODE = re.compile(r"^(?P<indent>[ \t]*)<!-- md:(?P<kind>snippet|output) (?P<arg>\S+) -->[ \t]*$", re.M)
RESULTS: dict[str, snippet_runner.Result] = {}  # by cache key: i18n builds the site once per language
NOTEBOOKS: dict[str, str] = {}  # executed notebooks, by cache key: written once per process, not per language
WORDS = {  # the few words the shortcodes put on a page, per language
    "en": {
        "code": "The code: snippets/{name}.py",
        "notebook": "[Open it as a notebook]({link}) (with its outputs; `.py` and `.ipynb` to download)",
        "output": "Output of {name}.py",
        "silent": "(this snippet prints nothing)",
    },
    "zh": {
        "code": "代码：snippets/{name}.py",
        "notebook": "[以 notebook 形式打开]({link})（含输出，可下载 `.py` 和 `.ipynb`）",
        "output": "{name}.py 的输出",
        "silent": "（这个代码片段没有输出）",
    },
}


@event_priority(-200)  # after mkdocs-static-i18n: see overlay.publish_page
def on_files(files, config):
    root = overlay.project_root(config)
    names = snippet_runner.all_snippets(root)
    keys = {name: snippet_runner.cache_key(name, root) for name in names}
    if any(key not in RESULTS for key in keys.values()):
        try:
            for name, result in snippet_runner.cached_run_all(names, root).items():
                RESULTS[keys[name]] = result
        except snippet_runner.SnippetError as error:
            raise PluginError(str(error)) from None
    for name in names:
        result = RESULTS[keys[name]]
        reject_math_in_markdown(result)
        chapter, stem = name.split("/")
        for number, svg in enumerate(result.figures, start=1):
            overlay.publish(files, config, f"figures/{chapter}/{stem}-{number}.svg", svg)
        if result.key not in NOTEBOOKS:
            NOTEBOOKS[result.key] = snippet_runner.notebook(result)
        executed = NOTEBOOKS[result.key]
        overlay.publish_page(files, config, f"notebooks/{name}.ipynb", executed)
        overlay.publish(files, config, f"notebooks/{name}/{stem}.ipynb", executed, localized=True)
        source = snippet_runner.snippet_path(name, root).read_bytes()
        overlay.publish(files, config, f"notebooks/{name}/{stem}.py", source, localized=True)
    return files


def reject_math_in_markdown(result: snippet_runner.Result) -> None:
    """Only chapter pages have their math typeset (hooks/mathjax.py): a notebook page would show raw TeX."""
    prose = [result.title, result.intro, *(cell.source for cell in result.cells if cell.kind == "markdown")]
    for text in prose:
        if found := TEX.search(text):
            raise PluginError(
                f"snippets/{result.name}.py: TeX '{found[0]}' in its docstring or a Markdown cell would show raw "
                "on the notebook page; put the formula on the chapter page instead"
            )


def on_page_markdown(markdown, page, config, files):
    root = overlay.project_root(config)
    words = WORDS.get(getattr(page.file, "locale", "en"), WORDS["en"])

    def expand(match):
        kind, arg, indent = match["kind"], match["arg"], match["indent"]
        name, _, section = arg.partition(":")
        try:
            result = RESULTS[snippet_runner.cache_key(name, root)]
        except (snippet_runner.SnippetError, KeyError):
            raise PluginError(
                f"{page.file.src_uri}: '<!-- md:{kind} {arg} -->' names no snippet "
                f"(known: {', '.join(snippet_runner.all_snippets(root))})"
            ) from None
        if kind == "output":
            block = output_block(result, words)
        elif section:
            block = code_block(name, section)
        else:
            notebook = posixpath.relpath(f"notebooks/{name}.ipynb", posixpath.dirname(page.file.src_uri))
            code = code_block(name, "").replace("\n", "\n    ")
            block = "\n".join(
                [
                    f'??? example "{words["code"].format(name=name)}"',
                    f"    {code}",
                    "",
                    words["notebook"].format(link=notebook),
                    "",
                    output_block(result, words),
                ]
            )
        return "\n".join(indent + line if line else line for line in block.split("\n"))

    return BLOCK_SHORTCODE.sub(expand, markdown)


def code_block(name: str, section: str) -> str:
    target = f"snippets/{name}.py" + (f":{section}" if section else "")
    return f'```python title="snippets/{name}.py"\n--8<-- "{target}"\n```'


def output_block(result: snippet_runner.Result, words: dict[str, str]) -> str:
    text = result.output.rstrip("\n") or words["silent"]
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f'{fence}text title="{words["output"].format(name=result.name)}"\n{text}\n{fence}'
