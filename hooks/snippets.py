"""Snippets on pages: run every snippet once per build (cached) and publish what it made.

For snippets/<chapter>/<stem>.py the build publishes
  figures/<chapter>/<stem>/<label>.svg           each figure, under the label the snippet gave it
  figures/<chapter>/<stem>/<label>.phone.svg     its phone layout, when it has one
  notebooks/<chapter>/<stem>.ipynb               the executed notebook, rendered by mkdocs-jupyter
  notebooks/<chapter>/<stem>/<stem>.py|ipynb     the downloads offered on that notebook page
The notebook page is in the default language only: it holds the snippet's own words.

Pages show a snippet with
  <!-- md:snippet NAME -->          its code (included by pymdownx.snippets, folded), notebook link, output;
  <!-- md:snippet NAME:SECTION -->  only the named section of its code;
  <!-- md:output NAME -->           only its printed output.
"""

from __future__ import annotations

import logging
import posixpath
import re

import catalog
import notebooks
import overlay
import snippet_runner
import values
from mkdocs.exceptions import PluginError
from shortcodes import Context, shortcode

log = logging.getLogger("mkdocs.handbook")
TEX = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[")  # $...$, \( or \[ in a snippet's Markdown
SHOWN = re.compile(r"<!-- md:(?:snippet|output) (?P<name>[a-z0-9_]+/[a-z0-9_]+)")
RESULTS: dict[str, snippet_runner.Result] = {}  # by snippet name, for this build
NOTEBOOKS: dict[tuple[str, str], str] = {}  # (cache key, form) -> notebook JSON: made once per process


def run_all(config) -> None:
    """Every snippet's result, from the cache or run now (in parallel), with progress in the log."""
    root = overlay.project_root(config)
    names = snippet_runner.all_snippets(root)
    keys = {name: snippet_runner.cache_key(name, root) for name in names}
    if all(name in RESULTS and RESULTS[name].key == keys[name] for name in names):
        return  # i18n builds the site once per language: the snippets ran for the first
    cached_before = {name for name in names if (root / ".cache" / "snippets" / f"{keys[name]}.json").is_file()}
    ran = []

    def progress(name, result):
        RESULTS[name] = result
        if name not in cached_before:
            ran.append(result.seconds)
            log.info(f"snippet {name}: ran in {result.seconds:.1f} s")

    try:
        snippet_runner.cached_run_all(names, root, report=progress)
    except snippet_runner.SnippetError as error:
        raise PluginError(str(error)) from None
    for name in list(RESULTS):
        if name not in names:
            del RESULTS[name]
    log.info(f"snippets: {len(ran)} ran ({sum(ran):.1f} s of running), {len(names) - len(ran)} from the cache")
    values.RESULTS.clear()
    values.RESULTS.update(RESULTS)
    for result in RESULTS.values():
        reject_math_in_markdown(result)


def publish(files, config) -> None:
    """Figures (shared by every language), and the notebooks and downloads (default language)."""
    root = overlay.project_root(config)
    default = catalog.languages(config)[0].locale
    building = config.plugins["i18n"].current_language if config.plugins.get("i18n") else default
    shown_on = pages_showing(root / "docs", catalog.languages(config), catalog.built(config))
    for name, result in RESULTS.items():
        for label, figure in result.figures.items():
            overlay.publish(files, config, f"figures/{name}/{label}.svg", figure.svg)
            if figure.phone:
                overlay.publish(files, config, f"figures/{name}/{label}.phone.svg", figure.phone)
        if building != default:
            continue
        stem = name.rsplit("/", 1)[-1]
        download = notebook(result, "download", "")
        page = notebook(result, "page", header(result, shown_on.get(name, [])))
        # the language switcher leads from the notebook (default language only) to a chapter showing it
        elsewhere = {lang.locale: next((url for url, _ in shown_on.get(name, []) if url.startswith(lang.prefix) and lang.prefix), lang.prefix)
                     for lang in catalog.built(config) if not lang.default}
        overlay.publish_page(files, config, f"notebooks/{name}.ipynb", page, elsewhere)
        overlay.publish(files, config, f"notebooks/{name}/{stem}.ipynb", download)
        overlay.publish(files, config, f"notebooks/{name}/{stem}.py", snippet_runner.snippet_path(name, root).read_bytes())


def notebook(result: snippet_runner.Result, form: str, header_text: str) -> str:
    if (result.key, form) not in NOTEBOOKS:
        if form == "download":
            text = notebooks.notebook(result, f"# {result.title}\n\n{result.intro}")
        else:
            up = "../" * (result.name.count("/") + 2)  # from notebooks/<chapter>/<stem>/ to the site root
            text = notebooks.notebook(result, header_text, lambda label: f"{up}figures/{result.name}/{label}.svg")
        NOTEBOOKS[(result.key, form)] = text
    return NOTEBOOKS[(result.key, form)]


def header(result: snippet_runner.Result, chapters: list[tuple[str, str]]) -> str:
    """The notebook page's first cell: title, intro, downloads, and the way back to the chapters."""
    stem = result.name.rsplit("/", 1)[-1]
    up = "../" * (result.name.count("/") + 2)
    back = " · ".join(f'<a href="{up}{url}">{html_escape(title)}</a>' for url, title in chapters)
    return "\n\n".join(
        [
            f"# {result.title.replace('`', '')}",  # no code span: the theme's table of contents drops its text from the anchor
            result.intro,
            f'Source: `snippets/{result.name}.py`. Download <a href="{stem}.py" download>{stem}.py</a> or '
            f'<a href="{stem}.ipynb" download>{stem}.ipynb</a>; the outputs below come from the same run that '
            "produced the handbook's figures.",
            *([f"Shown on: {back}"] if back else []),
        ]
    )


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pages_showing(docs, languages, built) -> dict[str, list[tuple[str, str]]]:
    """snippet name -> [(site URL, page title)] of the chapter pages that show it, in every language built."""
    found: dict[str, list[tuple[str, str]]] = {}
    for language in built:
        others = [lang.suffix for lang in languages if not lang.default and lang is not language]
        for path in sorted(docs.rglob(f"*{language.suffix}")):
            if language.default and any(path.name.endswith(suffix) for suffix in others):
                continue
            text = path.read_text(encoding="utf-8")
            title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
            page = path.relative_to(docs).as_posix().removesuffix(language.suffix)
            url = language.prefix + ("" if page == "index" else page.removesuffix("/index") + "/")
            for name in dict.fromkeys(SHOWN.findall(text)):
                found.setdefault(name, []).append((url, title))
    return found


def reject_math_in_markdown(result: snippet_runner.Result) -> None:
    """Only chapter pages have their math typeset (hooks/mathjax.py): a notebook page would show raw TeX."""
    prose = [result.title, result.intro, *(cell.source for cell in result.cells if cell.kind == "markdown")]
    for text in prose:
        if found := TEX.search(text):
            raise PluginError(
                f"snippets/{result.name}.py: TeX '{found[0]}' in its docstring or a Markdown cell would show raw "
                "on the notebook page; put the formula on the chapter page instead"
            )


def _result(name: str, context: Context) -> snippet_runner.Result:
    if name not in RESULTS:
        raise PluginError(
            f"{context.where}: '<!-- md:snippet {name} -->' names no snippet "
            f"(known: {', '.join(sorted(RESULTS))})"
        )
    return RESULTS[name]


@shortcode("snippet", "<!-- md:snippet NAME[:SECTION] -->", block=True)
def snippet(args: list[str], context: Context) -> str:
    if len(args) != 1:
        raise ValueError("give one snippet name")
    name, _, section = args[0].partition(":")
    result = _result(name, context)
    if section:
        return code_block(name, section)
    locale = catalog.page_locale(context.page, context.config)
    notebook_url = posixpath.relpath(f"notebooks/{name}/", context.page.url or ".") + "/"
    code = code_block(name, "").replace("\n", "\n    ")
    return "\n".join(
        [
            f'??? example "{catalog.words(locale, "snippet.code", name=name)}"',
            f"    {code}",
            "",
            catalog.words(locale, "snippet.notebook", link=notebook_url),
            "",
            output_block(result, locale),
        ]
    )


@shortcode("output", "<!-- md:output NAME -->", block=True)
def output(args: list[str], context: Context) -> str:
    if len(args) != 1:
        raise ValueError("give one snippet name")
    return output_block(_result(args[0], context), catalog.page_locale(context.page, context.config))


def code_block(name: str, section: str) -> str:
    target = f"snippets/{name}.py" + (f":{section}" if section else "")
    return f'```python title="snippets/{name}.py"\n--8<-- "{target}"\n```'


def output_block(result: snippet_runner.Result, locale: str) -> str:
    text = result.output.rstrip("\n") or catalog.words(locale, "snippet.silent")
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    title = catalog.words(locale, "snippet.output", name=result.name)
    return f'{fence}text title="{title}"\n{text}\n{fence}'
