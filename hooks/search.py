"""MkDocs hook: search finds prose, not listings.

Every page downloads the search index, and snippet code and printed output made up most of it;
notebook pages repeat their chapter's code altogether (and chapters should rank first).
"""

from mkdocs.plugins import event_priority


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context, page, config, nav):
    if page.file.src_uri.startswith("notebooks/") and page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}
    # material's search skips an element marked data-search-exclude, then strips the mark
    page.content = page.content.replace('<div class="highlight">', '<div class="highlight" data-search-exclude="code">')
    return context
