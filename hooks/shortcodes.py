"""MkDocs hook: a `<!-- md:... -->` shortcode that no hook expanded stops the build.

Runs after the hooks that expand shortcodes; anything left is a typo that would otherwise
render as nothing at all.
"""

import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

SHORTCODE = re.compile(r"<!-- md:.*?-->")


@event_priority(-100)
def on_page_markdown(markdown, page, config, files):
    left = SHORTCODE.findall(markdown)
    if left:
        raise PluginError(
            f"{page.file.src_uri}: unknown shortcode {left[0]!r}. Known: "
            "<!-- md:snippet NAME -->, <!-- md:snippet NAME:SECTION -->, <!-- md:output NAME -->, "
            "<!-- md:claim ID -->, <!-- md:claims-ledger -->."
        )
