"""Every edit the build makes to the HTML that MkDocs, Material and mkdocs-jupyter write, in order.

Each edit names the markup it expects; when that markup is missing (an upgrade changed it), the
build fails naming the edit, instead of the edit quietly doing nothing. `EDITS` is the chain
hooks/handbook.py applies to every page, and `TEMPLATE_EDITS` the one for 404.html:

1. typeset_math          formulas to SVG at build time (hooks/mathjax.py)
2. drop_head_alternates  hreflang links live in sitemap.xml: Material's language selector would
                         fetch <page>/sitemap.xml for each one and get a 404
3. name_search_dialog    Material's search dialog has no accessible name (axe: aria-dialog-name)
4. focusable_code        a code block that scrolls must take keyboard focus (axe:
                         scrollable-region-focusable); Material removes the tab stop from blocks
                         that do not scroll once it has measured them (feature content.lazy)
5. focusable_notebook    the same for notebook code cells
6. shared_notebook_css   mkdocs-jupyter inlines ~570 KB of JupyterLab CSS in each notebook page:
                         one shared file instead, fetched once for the whole site
7. language_search_base  a page of another language than the default searches its own index
                         (hooks/search_index.py writes one per language)
8. catalog_for_scripts   the page's language's `js` catalog entries, as JSON, for the scripts
9. defer_scripts         scripts never block the first paint (Material's bundle sat before it)
10. js_before_paint      <html class="no-js"> becomes "js" before the first paint, as the bundle
                         did before it was deferred: the header's search button no longer
                         appears after that paint and moves its neighbours (a layout shift)
11. header_before_paint  the first paint waits until the header has been parsed whole (a render-
                         blocking <link rel=expect>): Chromium painted a half-parsed header, and
                         its buttons moved when the rest arrived (a layout shift)
12. race_assets          the optimizer race's stylesheet and scripts, only on pages that show a
                         race or a playground (<div data-race...> or <div data-playground...>)
13. palette_before_paint  a first visit paints in the reader's scheme (Material applied it only
                         when its deferred bundle ran: a dark reader saw a light page until then)

`ASSET_EDITS` edit the theme's files in the finished site, with the same loud failure:

1. palette_switch_restyles_nothing  Material's palette rule that restyled every element twice on
                         every page load
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit
from dataclasses import dataclass
from typing import Callable

import catalog
import mathjax
from mkdocs.exceptions import PluginError

JUPYTER_CSS = "assets/stylesheets/jupyter.css"


class MarkupMissing(PluginError):
    pass


def require(output: str, pattern: re.Pattern | str, edit: str, where: str, at_least: int = 1) -> list:
    """The matches of `pattern` in `output`; fails the build when there are fewer than `at_least`."""
    found = list(re.finditer(pattern, output)) if isinstance(pattern, re.Pattern) else [None] * output.count(pattern)
    if len(found) < at_least:
        shown = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
        raise MarkupMissing(
            f"html edit '{edit}' on {where}: expected markup {shown!r} is missing (found {len(found)}, "
            f"need {at_least}). A theme or plugin upgrade changed its HTML: update hooks/html_edits.py."
        )
    return found


@dataclass(frozen=True)
class Page:
    """What an edit needs to know about the page it edits."""

    where: str  # for messages
    url: str  # "zh/momentum/"
    locale: str
    is_notebook: bool


def typeset_math(output: str, page: Page, config, mkdocs_page) -> str:
    return mathjax.typeset(output, mkdocs_page, config)


HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


def drop_head_alternates(output: str, page: Page, config, mkdocs_page=None) -> str:
    if config.plugins.get("i18n") is None or len(catalog.built(config)) < 2:
        return output  # one language built (make serve LANGUAGE=en): i18n writes no alternates
    head, separator, body = output.partition("</head>")
    require(head, HEAD_ALTERNATE, "drop_head_alternates", page.where, at_least=len(catalog.built(config)))
    return HEAD_ALTERNATE.sub("", head) + separator + body


SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def name_search_dialog(output: str, page: Page, config, mkdocs_page=None) -> str:
    if not ({"search", "material/search"} & set(config.plugins)):
        return output
    require(output, SEARCH_DIALOG, "name_search_dialog", page.where)
    label = html.escape(catalog.words(page.locale, "search.dialog"), quote=True)
    return output.replace(SEARCH_DIALOG, SEARCH_DIALOG.replace('role="dialog"', f'role="dialog" aria-label="{label}"'))


CODE_BLOCK = "<pre><span></span><code>"
HIGHLIGHT = re.compile(r'<div class="(?:language-\w+ )?highlight"')


def focusable_code(output: str, page: Page, config, mkdocs_page=None) -> str:
    blocks = len(HIGHLIGHT.findall(output)) if not page.is_notebook else 0
    require(output, CODE_BLOCK, "focusable_code", page.where, at_least=blocks)
    return output.replace(CODE_BLOCK, '<pre><span></span><code tabindex="0">')


NOTEBOOK_CODE = '<div class="highlight-ipynb hl-python">'


def focusable_notebook(output: str, page: Page, config, mkdocs_page=None) -> str:
    if not page.is_notebook:
        return output
    require(output, NOTEBOOK_CODE, "focusable_notebook", page.where)
    return output.replace(NOTEBOOK_CODE, NOTEBOOK_CODE.replace(">", ' tabindex="0">'))


JUPYTER_STYLE = re.compile(r'<style type="text/css">\s*(?:@charset "UTF-8";)?\.jupyter-wrapper\{.*?</style>', re.S)


def shared_notebook_css(output: str, page: Page, config, mkdocs_page=None) -> str:
    if not page.is_notebook:
        return output
    styles = require(output, JUPYTER_STYLE, "shared_notebook_css", page.where, at_least=2)
    css = "\n".join(style[0][len('<style type="text/css">') : -len("</style>")] for style in styles)
    SHARED_CSS.setdefault(JUPYTER_CSS, css)
    if SHARED_CSS[JUPYTER_CSS] != css:
        raise PluginError(f"html edit 'shared_notebook_css' on {page.where}: notebook pages carry different JupyterLab CSS")
    href = posixpath.relpath(JUPYTER_CSS, page.url or ".")
    output = output.replace(styles[0][0], f'<link rel="stylesheet" href="{href}">', 1)
    for style in styles[1:]:
        output = output.replace(style[0], "", 1)
    return output


SHARED_CSS: dict[str, str] = {}  # written into the site once all pages are built (hooks/handbook.py)
CONFIG = re.compile(r'<script id="__config" type="application/json">(?P<json>.*?)</script>', re.S)


def language_search_base(output: str, page: Page, config, mkdocs_page=None) -> str:
    language = next(lang for lang in catalog.languages(config) if lang.locale == page.locale)
    if language.default or config.plugins.get("i18n") is None:
        return output
    [found] = require(output, CONFIG, "language_search_base", page.where)
    settings = json.loads(found["json"])
    depth = page.url.count("/") - language.prefix.count("/")  # a page in zh/a/b/ is two levels below zh/
    settings["base"] = "." if depth == 0 else "/".join([".."] * depth)
    replacement = f'<script id="__config" type="application/json">{json.dumps(settings, ensure_ascii=False)}</script>'
    return output[: found.start()] + replacement + output[found.end() :]


def catalog_for_scripts(output: str, page: Page, config, mkdocs_page=None) -> str:
    require(output, "</head>", "catalog_for_scripts", page.where)
    text = json.dumps(catalog.catalog(page.locale)["js"], ensure_ascii=False).replace("</", "<\\/")
    return output.replace("</head>", f'<script id="handbook-text" type="application/json">{text}</script></head>', 1)


SCRIPT_FROM_FILE = re.compile(r'<script src="(?=[^"])')


def defer_scripts(output: str, page: Page, config, mkdocs_page=None) -> str:
    require(output, SCRIPT_FROM_FILE, "defer_scripts", page.where)
    return SCRIPT_FROM_FILE.sub('<script defer src="', output)


NO_JS = re.compile(r'<html\b[^>]*\bclass="no-js"')
JS_CLASS_SWAP = '<script>document.documentElement.classList.replace("no-js","js")</script>'  # the bundle's own swap


def js_before_paint(output: str, page: Page, config, mkdocs_page=None) -> str:
    require(output, NO_JS, "js_before_paint", page.where)
    require(output, "</head>", "js_before_paint", page.where)
    return output.replace("</head>", JS_CLASS_SWAP + "</head>", 1)


MATERIAL_CONTAINER = '<div class="md-container" data-md-component="container">'  # the header's next sibling
CONTAINER_ID = "__container"


def header_before_paint(output: str, page: Page, config, mkdocs_page=None) -> str:
    require(output, MATERIAL_CONTAINER, "header_before_paint", page.where)
    require(output, "</head>", "header_before_paint", page.where)
    output = output.replace(MATERIAL_CONTAINER, MATERIAL_CONTAINER.replace("<div ", f'<div id="{CONTAINER_ID}" ', 1), 1)
    return output.replace("</head>", f'<link rel="expect" href="#{CONTAINER_ID}" blocking="render"></head>', 1)


RACE_MARKUP = re.compile(r'<div data-(?:race|playground)[\s=>]')
RACE_STYLESHEET = "stylesheets/race.css"
RACE_SCRIPTS = ["javascripts/race-engine.js", "javascripts/race.js"]  # the engine first: the widget uses it


def race_assets(output: str, page: Page, config, mkdocs_page=None) -> str:
    if not RACE_MARKUP.search(output):
        return output
    require(output, "</head>", "race_assets", page.where)
    require(output, "</body>", "race_assets", page.where)
    def href(path):
        return posixpath.relpath(path, page.url or ".")
    head, separator, rest = output.partition("</head>")
    body, end, tail = rest.rpartition("</body>")
    scripts = "".join(f'<script defer src="{href(path)}"></script>' for path in RACE_SCRIPTS)
    link = f'<link rel="stylesheet" href="{href(RACE_STYLESHEET)}">'
    unreserved = "<noscript><style>[data-race]:not(.race),[data-playground]:not(.race){min-height:0}</style></noscript>"  # no script, no widget
    return f"{head}{link}{unreserved}{separator}{body}{scripts}{end}{tail}"


MATERIAL_PALETTE_SCRIPT = 'document.body.setAttribute("data-md-color-"+key,value)}</script>'
PALETTE_KEYS = {"scheme": "default", "primary": "indigo", "accent": "indigo"}  # Material's defaults


def palette_before_paint(output: str, page: Page, config, mkdocs_page=None) -> str:
    """Material's inline script applies a palette the reader chose (stored); with none stored, the
    body keeps the first palette until the deferred bundle picks the one whose media query matches,
    after the first paint. This script picks it before the first paint, from the same settings."""
    palettes = config.theme.get("palette")
    palettes = [palettes] if isinstance(palettes, dict) else list(palettes or [])
    choices = [[p["media"], {key: p.get(key, default) for key, default in PALETTE_KEYS.items()}] for p in palettes if p.get("media")]
    if not choices:
        return output
    require(output, MATERIAL_PALETTE_SCRIPT, "palette_before_paint", page.where)
    script = (
        f'<script>if(!__md_get("__palette"))for(const[media,color]of {json.dumps(choices)})'
        'if(matchMedia(media).matches){for(const key in color)document.body.setAttribute("data-md-color-"+key,color[key]);break}</script>'
    )
    return output.replace(MATERIAL_PALETTE_SCRIPT, MATERIAL_PALETTE_SCRIPT + script, 1)


EDITS: list[Callable] = [
    typeset_math,
    drop_head_alternates,
    name_search_dialog,
    focusable_code,
    focusable_notebook,
    shared_notebook_css,
    language_search_base,
    catalog_for_scripts,
    defer_scripts,
    js_before_paint,
    header_before_paint,
    race_assets,
    palette_before_paint,
]


def edit_page(output: str, mkdocs_page, config) -> str:
    page = Page(
        where=mkdocs_page.file.src_uri,
        url=mkdocs_page.url,
        locale=catalog.page_locale(mkdocs_page, config),
        is_notebook=mkdocs_page.file.src_uri.endswith(".ipynb"),
    )
    for edit in EDITS:
        output = edit(output, page, config, mkdocs_page)
    return output


NOT_FOUND = "<div data-not-found></div>"


def not_found_page(output: str, page: Page, config, mkdocs_page=None) -> str:
    """The 404 page in every language, each block shown when the address is in its language."""
    require(output, NOT_FOUND, "not_found_page", page.where)
    base = urlsplit(config.site_url or "/").path or "/"
    blocks = []
    for language in catalog.built(config):
        def word(key, language=language):
            return html.escape(catalog.words(language.locale, f"not_found.{key}"))

        links = [("", "home"), ("learning-rate/", "learning_rate"), ("claims/", "claims")]
        items = "".join(f'<li><a href="{base}{language.prefix}{path}">{word(key)}</a></li>' for path, key in links)
        hidden = "" if language.default else " hidden"
        blocks.append(
            f'<section lang="{language.locale}" data-language="{language.prefix}"{hidden}>'
            f"<h1>{word('title')}</h1><p>{word('text')}</p><ul>{items}</ul></section>"
        )
    choose = (
        "<script>(() => { const path = location.pathname; const sections = [...document.querySelectorAll('[data-not-found] > section')];"
        f" const here = sections.filter(s => s.dataset.language && path.startsWith({json.dumps(base)} + s.dataset.language)).pop();"
        " if (here) { sections.forEach(s => s.hidden = s !== here); document.documentElement.lang = here.lang; } })()</script>"
    )
    return output.replace(NOT_FOUND, f'<div data-not-found>{"".join(blocks)}</div>{choose}', 1)


# 404.html is rendered as a template, in each language's build; the default language's is kept
# (hooks/handbook.py): it answers for every address and shows the words of the address's language.
TEMPLATE_EDITS: list[Callable] = [not_found_page, drop_head_alternates, name_search_dialog, catalog_for_scripts, defer_scripts, js_before_paint, header_before_paint, palette_before_paint]


def edit_template(output: str, template_name: str, config) -> str:
    page = Page(where=template_name, url="", locale=catalog.languages(config)[0].locale, is_notebook=False)
    for edit in TEMPLATE_EDITS:
        output = edit(output, page, config)
    return output


PALETTE_CSS = "assets/stylesheets/palette.*.min.css"
SWITCHING_RULE = "[data-md-color-switching] *,[data-md-color-switching] :after,[data-md-color-switching] :before{transition-duration:0s!important}"
SWITCHING_RULE_DROPPED = "/*" + " " * (len(SWITCHING_RULE) - 4) + "*/"  # the same length: the source map still holds


def palette_switch_restyles_nothing(site: Path) -> None:
    """Material marks <body data-md-color-switching> while it applies a palette, on every page load
    as well as on a toggle, and this rule, which stops transitions meanwhile, makes the mark and its
    removal restyle every element of the page: two of the five whole-page style recalculations of
    its start-up, the costliest on pages with many formulas. With the palette applied before the
    first paint (palette_before_paint), start-up changes no color and so starts no transition; a
    toggle fades the few elements that have a color transition, over 125 to 250 ms."""
    files = sorted(site.glob(PALETTE_CSS))
    if len(files) != 1:
        raise MarkupMissing(f"asset edit 'palette_switch_restyles_nothing': expected one {PALETTE_CSS} in {site}, found {len(files)}")
    css = files[0].read_text(encoding="utf-8")
    if SWITCHING_RULE_DROPPED in css and SWITCHING_RULE not in css:
        return  # this site was edited by an earlier build (make serve rebuilds into it)
    require(css, SWITCHING_RULE, "palette_switch_restyles_nothing", str(files[0].relative_to(site)))
    files[0].write_text(css.replace(SWITCHING_RULE, SWITCHING_RULE_DROPPED), encoding="utf-8")


ASSET_EDITS: list[Callable[[Path], None]] = [palette_switch_restyles_nothing]
