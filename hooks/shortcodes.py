"""Every `<!-- md:NAME ARGS -->` form on a page, parsed in one place (as mkdocs-material's own
hooks/shortcodes.py does).

A module adds a form by decorating its handler with `@shortcode("NAME", ...)`; an unknown name
fails the build with the list of known ones, which is this registry, not a list kept by hand.
ARGS are split like a shell line (quotes group words). Forms are expanded wherever they stand in
prose, tables, headings and admonitions; not inside code, where a page shows them as examples.

Where a form stands decides what its handler must produce (`Context.mode`):

* "block": on a line of its own (indentation kept): Markdown that may span lines;
* "inline": in running text: Markdown or inline HTML;
* "plain": in an image's alt text or the page description: text only, no markup;
* "tex": inside a formula: TeX.

A handler's output may hold further forms (the claims ledger quotes sentences that hold values);
they are expanded in turn.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Callable

from mkdocs.exceptions import PluginError

SHORTCODE = re.compile(r"<!-- md:(?P<name>[a-z][a-z-]*)(?P<args>[^>]*?)\s*-->")
BLOCK_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<code><!-- md:[a-z][a-z-]*[^>]*?\s*-->)[ \t]*$", re.M)
# Where forms are not expanded: fenced code (``` or ~~~, indented inside blocks too) and code spans.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}).*?^(?P=indent)(?P=fence)[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)")
# alt text may hold brackets two deep ("[a value x[0]]")
IMAGE = re.compile(r"!\[(?P<alt>(?:[^\[\]]|\[(?:[^\[\]]|\[[^\]]*\])*\])*)\]\((?P<src>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])(?:[^$\n]|\\\$)+?(?<![\\\s])\$(?!\$)")
PASSES = 5  # a handler's output may hold forms; nothing nests deeper than this


@dataclass
class Context:
    page: object  # the mkdocs Page
    config: object
    files: object
    mode: str = "inline"  # "block", "inline", "plain" or "tex"
    indent: str = ""
    notes: dict = field(default_factory=dict)  # what handlers record for later steps (values used, ...)

    @property
    def where(self) -> str:
        return self.page.file.src_uri


@dataclass(frozen=True)
class Form:
    handler: Callable[[list[str], Context], str]
    block: bool  # True: only on a line of its own
    usage: str


FORMS: dict[str, Form] = {}


def shortcode(name: str, usage: str, block: bool = False):
    """Register `handler(args, context) -> str` for `<!-- md:NAME ... -->`."""

    def register(handler):
        if name in FORMS:
            raise RuntimeError(f"two handlers for <!-- md:{name} -->")
        FORMS[name] = Form(handler, block, usage)
        return handler

    return register


def known() -> str:
    return ", ".join(form.usage for _, form in sorted(FORMS.items()))


def expand(markdown: str, context: Context) -> str:
    """Expand every form in a page's Markdown, leaving code alone."""
    # Images first, once: their alt text is plain text (its values are noted for the <img>).
    markdown = _outside_code(markdown, lambda text: IMAGE.sub(lambda match: _image(match, context), text))
    _outside_code(markdown, lambda text: check_no_unread_figures(text, context) or text)
    for _ in range(PASSES):
        if not SHORTCODE.search(markdown):
            return markdown
        markdown = _outside_code(markdown, lambda text: _expand_text(text, context))
    left = SHORTCODE.search(markdown)
    raise PluginError(f"{context.where}: shortcodes still left after {PASSES} passes: {left[0]!r}")


def check_no_unread_figures(markdown: str, context: Context) -> None:
    """A figure reference the image pattern could not read would silently not be a figure."""
    left = re.search(r"\]\((?:\.\./)*figures/[^)]*\)", markdown)
    if left:
        raise PluginError(f"{context.where}: cannot read the figure reference ending in {left[0]!r} (its alt text?)")


def expand_plain(text: str, context: Context) -> str:
    """Expand the forms in text that must stay text (alt text, the page description)."""
    return SHORTCODE.sub(lambda match: _call(match, context, "plain"), text)


def _outside_code(markdown: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of `markdown` that are not code."""
    pieces, last = [], 0
    for fence in FENCE.finditer(markdown):
        pieces.append(_outside_spans(markdown[last : fence.start()], change))
        pieces.append(fence[0])
        last = fence.end()
    pieces.append(_outside_spans(markdown[last:], change))
    return "".join(pieces)


def _outside_spans(text: str, change: Callable[[str], str]) -> str:
    pieces, last = [], 0
    for span in CODE_SPAN.finditer(text):
        pieces.append(change(text[last : span.start()]))
        pieces.append(span[0])
        last = span.end()
    pieces.append(change(text[last:]))
    return "".join(pieces)


def _expand_text(text: str, context: Context) -> str:
    # Forms on a line of their own first. What they produce may hold forms of its own, in formulas
    # too (the ledger quotes sentences): those wait for the next pass, which sees where they stand.
    blocks: list[str] = []

    def hold(match: re.Match) -> str:
        form = FORMS.get(SHORTCODE.fullmatch(match["code"])["name"])
        if form is None or not form.block:
            return match[0]  # an inline form alone on its line: expanded with the rest
        blocks.append(_block(match, context))
        return f"\x00{len(blocks) - 1}\x00"

    text = BLOCK_LINE.sub(hold, text)
    # Formulas: values become TeX. Then the rest, inline.
    text = DISPLAY_MATH.sub(lambda match: SHORTCODE.sub(lambda m: _call(m, context, "tex"), match[0]), text)
    text = INLINE_MATH.sub(lambda match: SHORTCODE.sub(lambda m: _call(m, context, "tex"), match[0]), text)
    text = SHORTCODE.sub(lambda match: _call(match, context, "inline"), text)
    return re.sub(r"\x00(\d+)\x00", lambda match: blocks[int(match[1])], text)


def _image(match: re.Match, context: Context) -> str:
    before = len(context.notes.get("values", []))
    alt = SHORTCODE.sub(lambda m: _call(m, context, "plain"), match["alt"])
    quoted = context.notes.get("values", [])[before:]  # the values the alt text quotes
    image = f'![{alt}]({match["src"]}{match["title"] or ""})'
    return _IMAGE_HANDLER[0](image, alt, match["src"], quoted, context) if _IMAGE_HANDLER else image


def _block(match: re.Match, context: Context) -> str:
    inner = SHORTCODE.fullmatch(match["code"])
    context.indent = match["indent"]
    block = _call(inner, context, "block")
    return "\n".join(match["indent"] + line if line else line for line in block.split("\n"))


def _call(match: re.Match, context: Context, mode: str) -> str:
    name = match["name"]
    form = FORMS.get(name)
    if form is None:
        raise PluginError(f"{context.where}: unknown shortcode {match[0]!r}. Known: {known()}.")
    if form.block and mode != "block":
        raise PluginError(f"{context.where}: {match[0]!r} must stand on a line of its own ({form.usage}).")
    try:
        args = shlex.split(match["args"])
    except ValueError as error:
        raise PluginError(f"{context.where}: cannot read the arguments of {match[0]!r}: {error}") from None
    context.mode = mode
    try:
        return form.handler(args, context)
    except PluginError:
        raise
    except (LookupError, ValueError, TypeError) as error:
        raise PluginError(f"{context.where}: {match[0]!r}: {error}") from None


_IMAGE_HANDLER: list[Callable[[str, str, str, list, Context], str]] = []


def images(handler):
    """Register `handler(markdown, alt, src, quoted, context) -> str` for every image on a page
    (hooks/figures.py); `quoted` lists the (attribute, source) of the values its alt text quotes."""
    if _IMAGE_HANDLER:
        raise RuntimeError("two image handlers")
    _IMAGE_HANDLER.append(handler)
    return handler
