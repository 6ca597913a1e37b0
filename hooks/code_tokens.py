"""Code blocks with a span only where Material gives a token a color of its own.

Pygments wraps every token of a Python listing in a span. Material draws two kinds in the code's
own color: names (`.n`, whose color `--md-code-hl-name-color` is `--md-code-fg-color`) and
whitespace (`.w`, which it does not style). They were about 30 % of the site's code spans and a
quarter of all its elements, most of them in folded full listings that every browser, axe-core
run and search view still had to parse and walk. A Pygments filter, given to pymdownx.highlight
as a lexer option, makes them plain text: the page draws the same and holds fewer elements.
tests/test_site_browser.py checks that a plain name is drawn in the name color, in both schemes.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from pygments.filter import Filter
from pygments.token import Name, Text, Whitespace

HIGHLIGHT = "pymdownx.highlight"
LANGUAGE = "python"  # the fence name of every Python block, the snippets' included


class PlainNamesAndSpace(Filter):
    """A bare name or a run of whitespace becomes plain text; every other token keeps its class."""

    def filter(self, lexer, stream):
        for token, value in stream:
            yield (Text if token is Name or token in Whitespace else token), value


PYTHON = {"name": LANGUAGE, "lang": LANGUAGE, "options": {"filters": [PlainNamesAndSpace()]}}


def on_config(config) -> None:
    """Give pymdownx.highlight the filter (once: on_config runs again for every language)."""
    if HIGHLIGHT not in config.markdown_extensions:
        raise PluginError(f"hooks/code_tokens.py: mkdocs.yml must enable {HIGHLIGHT}, whose lexers it filters")
    extended = config.mdx_configs.setdefault(HIGHLIGHT, {}).setdefault("extend_pygments_lang", [])
    if any(entry.get("name") == LANGUAGE and entry is not PYTHON for entry in extended):
        raise PluginError(f"hooks/code_tokens.py: mkdocs.yml already extends '{LANGUAGE}' in {HIGHLIGHT}")
    if PYTHON not in extended:
        extended.append(PYTHON)
