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

import nbformat.v4 as nbf
from snippet_runner import Result


def notebook(result: Result, header: str, figure_url: Callable[[str], str] | None = None) -> str:
    """The notebook as JSON. `header` is the Markdown of its first cell; `figure_url(label)`, when
    given, links each figure instead of embedding it."""
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
        for label in cell.figures:
            if figure_url is None:
                data = {"image/svg+xml": result.figures[label].svg}
            else:
                alt = html.escape(f"Figure '{label}' of {result.name}.py", quote=True)
                data = {"text/html": f'<img src="{figure_url(label)}" alt="{alt}" loading="lazy">'}
            outputs.append(nbf.new_output("display_data", data=data))
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
