"""Figures on pages: `![alt](figures/<chapter>/<stem>/<label>.svg)` names a figure by its label.

A snippet labels each figure it draws (`plt.figure("loss-by-step")`), so reordering its plots
changes no page. Expanding the page's Markdown, each figure reference becomes

  <a class="figure" href="...svg"><picture>
    <source media="(max-width: 44.9375em)" srcset="...phone.svg" width=.. height=..>   (when it has a phone layout)
    <img src="...svg" alt="..." width=.. height=.. loading="lazy" decoding="async">
  </picture></a>

with its size from the SVG (the browser reserves the box: no layout shift), a link that opens it
at full size, and the provenance of any value its alt text quotes. A reference to a figure that
no snippet drew fails the build, and so does a figure that a snippet draws and no page shows.
"""

from __future__ import annotations

import html
import posixpath
import re

import catalog
import snippet_runner
import snippets
from mkdocs.exceptions import PluginError
from shortcodes import Context, images

FIGURE = re.compile(r"^(?:\.\./)*figures/(?P<name>[a-z0-9_]+/[a-z0-9_]+)/(?P<label>[a-z0-9-]+)\.svg$")
PHONE_MEDIA = "(max-width: 44.9375em)"  # Material's breakpoint below which the page is one column
PIXELS_PER_POINT = 4 / 3
SHOWN: dict[str, set[tuple[str, str]]] = {}  # language -> the (snippet, label) pairs its pages show


@images
def figure(markdown: str, alt: str, src: str, quoted: list, context: Context) -> str:
    match = FIGURE.match(src)
    if match is None:
        if "figures/" in src:
            raise PluginError(f"{context.where}: '{src}' is not figures/<chapter>/<stem>/<label>.svg")
        return markdown
    name, label = match["name"], match["label"]
    result = snippets.RESULTS.get(name)
    if result is None:
        raise PluginError(f"{context.where}: figure '{src}': no snippet snippets/{name}.py")
    drawn = result.figures.get(label)
    if drawn is None:
        raise PluginError(
            f"{context.where}: figure '{src}': snippets/{name}.py draws no figure labelled '{label}' "
            f"(it draws: {', '.join(result.figures) or 'none'})"
        )
    if len(alt.strip()) < 16:
        raise PluginError(f"{context.where}: figure '{src}' needs alt text that says what it shows")
    SHOWN.setdefault(_language(context.config), set()).add((name, label))
    here = context.page.url or "."
    url = posixpath.relpath(f"figures/{name}/{label}.svg", here)
    width, height = _size(drawn.svg)
    provenance = "".join(
        f' data-{attribute}="{html.escape(" ".join(source for kind, source in quoted if kind == attribute))}"'
        for attribute in dict.fromkeys(kind for kind, _ in quoted)
    )
    source = ""
    if drawn.phone:
        phone_width, phone_height = _size(drawn.phone)
        phone_url = posixpath.relpath(f"figures/{name}/{label}.phone.svg", here)
        source = f'<source media="{PHONE_MEDIA}" srcset="{phone_url}" width="{phone_width}" height="{phone_height}">'
    image = (
        f'<img src="{url}" alt="{html.escape(alt, quote=True)}" width="{width}" height="{height}" '
        f'loading="lazy" decoding="async" data-figure="{name}/{label}"{provenance}>'
    )
    return f'<a class="figure" href="{url}">{"<picture>" + source + image + "</picture>" if source else image}</a>'


def _size(svg: str) -> tuple[int, int]:
    width, height = snippet_runner.svg_size_pt(svg)
    return round(width * PIXELS_PER_POINT), round(height * PIXELS_PER_POINT)


def _language(config) -> str:
    i18n = config.plugins.get("i18n")
    return i18n.current_language if i18n else catalog.languages(config)[0].locale


def check_every_figure_shown(config) -> None:
    """Once every language is built: every figure a snippet drew is on a page of each language."""
    for language in catalog.built(config):
        shown = SHOWN.pop(language.locale, set())
        unshown = [
            f"figures/{name}/{label}.svg"
            for name, result in sorted(snippets.RESULTS.items())
            for label in result.figures
            if (name, label) not in shown
        ]
        if unshown:
            raise PluginError(
                f"{len(unshown)} figure(s) drawn by a snippet are shown on no page in '{language.locale}': "
                + ", ".join(unshown[:10])
                + ". Show each on its chapter (and its twins), or stop drawing it."
            )
