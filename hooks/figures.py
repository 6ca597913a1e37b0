"""MkDocs hook: every snippet figure on a page gets its intrinsic size and lazy loading.

With width and height in the <img>, the browser reserves the figure's box before the SVG arrives
(no layout shift); figures below the fold load only when the reader gets near them.
"""

import re
from pathlib import Path

import overlay

FIGURE = re.compile(r'<img (?P<attributes>[^>]*?)src="(?P<src>[^"]*?(?P<path>figures/[^"]+\.svg))"(?P<rest>[^>]*)>')
SVG_SIZE = re.compile(r'<svg[^>]*? width="(?P<width>[\d.]+)pt" height="(?P<height>[\d.]+)pt"')
PIXELS_PER_POINT = 4 / 3


def head(svg: Path) -> str:
    """The start of the file, which holds the <svg> element (figures run to hundreds of KB)."""
    with svg.open("rb") as file:
        return file.read(2000).decode("utf-8", errors="ignore")


def on_post_page(output, page, config):
    figures = overlay.project_root(config) / ".cache" / "overlay"

    def sized(match):
        svg = figures / match["path"]
        size = SVG_SIZE.search(head(svg)) if svg.is_file() else None
        if size is None:
            return match[0]
        width = round(float(size["width"]) * PIXELS_PER_POINT)
        height = round(float(size["height"]) * PIXELS_PER_POINT)
        return (
            f'<img {match["attributes"]}src="{match["src"]}" width="{width}" height="{height}" '
            f'loading="lazy" decoding="async"{match["rest"]}>'
        )

    return FIGURE.sub(sized, output)
