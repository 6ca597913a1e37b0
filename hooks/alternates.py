"""MkDocs hook: hreflang alternates live in sitemap.xml, not in each page's <head>.

Material's language selector fetches `sitemap.xml` relative to every <link rel="alternate"> in
the head. mkdocs-static-i18n makes those links page-level, so each page load asked for
<page>/sitemap.xml and got a 404 (a console error, and a request for nothing). The sitemap that
i18n writes lists every page with its translations (xhtml:link hreflang), which is where search
engines read them too; the language selector keeps its page-to-page links.
"""

import re

HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


def without_head_alternates(output: str) -> str:
    head, separator, body = output.partition("</head>")
    return HEAD_ALTERNATE.sub("", head) + separator + body


def on_post_page(output, page, config):
    return without_head_alternates(output)


def on_post_template(output, template_name, config):
    """404.html too: it would otherwise carry the alternates of the last page built."""
    return without_head_alternates(output)
