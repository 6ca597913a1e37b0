"""The executed notebook of a snippet: its cells with the outputs of the build's own run.

Two forms of the same notebook:
* the download (``.ipynb``), self-contained: figures embedded as SVG;
* the page that mkdocs-jupyter renders: figures as <img> of the files the chapters use, so the page
  stays small on a phone and the browser fetches each figure once for the whole site.
"""

from __future__ import annotations

import html
import json
from typing import Callable

from mkdocs.exceptions import PluginError
from snippet_runner import Result

# nbformat 4.5 (cell ids). Written as plain JSON: building it with nbformat's constructors
# validated every cell against the schema, seconds per build; tests/test_build.py validates it.
NBFORMAT = {"nbformat": 4, "nbformat_minor": 5}


def _markdown(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def _code(source: str, count: int, outputs: list) -> dict:
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": outputs, "source": source}


def notebook(result: Result, header: str, figure_url: Callable[[str], str] | None = None) -> str:
    """The notebook as JSON. `header` is the Markdown of its first cell; `figure_url(label)`, when
    given, links each figure instead of embedding it."""
    cells = [_markdown(header)]
    count = 0
    for cell in result.cells:
        if cell.kind == "markdown":
            cells.append(_markdown(cell.source))
            continue
        count += 1
        outputs = []
        if cell.stdout:
            outputs.append({"output_type": "stream", "name": "stdout", "text": cell.stdout})
        for label in cell.figures:
            if figure_url is None:
                data = {"image/svg+xml": result.figures[label].svg}
            else:
                alt = html.escape(f"Figure '{label}' of {result.name}.py", quote=True)
                data = {"text/html": f'<img src="{figure_url(label)}" alt="{alt}" loading="lazy">'}
            outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
        cells.append(_code(cell.source, count, outputs))
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"  # fixed ids keep the notebook byte-stable (mkdocs-jupyter caches by bytes)
    book = NBFORMAT | {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    }
    return json.dumps(book, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def keep_rendered_pages(config, default_language: bool) -> None:
    """mkdocs-jupyter caches each notebook page's HTML and, after each build, deletes the entries
    that build did not render. Notebook pages are in the default language only, so the other
    languages' builds rendered none and deleted them all: every `make site` converted all the
    notebooks again. Its cache is on in the default language's build only."""
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None or "cache" not in jupyter.config:
        raise PluginError("notebooks keep_rendered_pages: the mkdocs-jupyter plugin and its 'cache' option are missing")
    jupyter.config["cache"] = default_language
