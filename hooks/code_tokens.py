"""Code blocks with a span only where a token has a color of its own.

Pygments wraps every token of a Python listing in a span. Four kinds are drawn in the code's own
color: names (Material's `--md-code-hl-name-color` is `--md-code-fg-color`), whitespace (which it
does not style), and punctuation and operators (docs/stylesheets/extra.css gives them the code's
color, as GitHub does). They were three quarters of the site's code spans and over half of all
its elements, most of them in folded full listings that every browser, axe-core run and search
view still had to parse and walk. A Pygments filter, given to pymdownx.highlight as a lexer
option, makes them plain text: the page draws the same with fewer elements. Keywords, strings,
numbers, comments, built-ins and definitions keep their spans and colors.
tests/test_site_browser.py checks that plain text is drawn in these tokens' colors, in both schemes.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from pygments.filter import Filter
from pygments.token import STANDARD_TYPES, Name, Operator, Punctuation, Text, Whitespace

HIGHLIGHT = "pymdownx.highlight"
LANGUAGE = "python"  # the fence name of every Python block, the snippets' included
PLAIN = {Name, Whitespace, Punctuation, Operator}  # these types exactly: `in` (Operator.Word) keeps its color
CLASSES = sorted(STANDARD_TYPES[token] for token in PLAIN)  # their CSS classes: n, o, p, w


class PlainTokens(Filter):
    """A token of a PLAIN type becomes plain text; every other token keeps its class."""

    def filter(self, lexer, stream):
        for token, value in stream:
            yield (Text if token in PLAIN else token), value


PYTHON = {"name": LANGUAGE, "lang": LANGUAGE, "options": {"filters": [PlainTokens()]}}


def on_config(config) -> None:
    """Give pymdownx.highlight the filter (once: on_config runs again for every language)."""
    if HIGHLIGHT not in config.markdown_extensions:
        raise PluginError(f"hooks/code_tokens.py: mkdocs.yml must enable {HIGHLIGHT}, whose lexers it filters")
    extended = config.mdx_configs.setdefault(HIGHLIGHT, {}).setdefault("extend_pygments_lang", [])
    if any(entry.get("name") == LANGUAGE and entry is not PYTHON for entry in extended):
        raise PluginError(f"hooks/code_tokens.py: mkdocs.yml already extends '{LANGUAGE}' in {HIGHLIGHT}")
    if PYTHON not in extended:
        extended.append(PYTHON)
