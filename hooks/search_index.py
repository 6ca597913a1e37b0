"""Search: each language searches its own pages, and previews show prose.

mkdocs-static-i18n merges every language's entries into one index at search/search_index.json,
which every page downloads: an English search then found Chinese pages, and each reader paid for
both languages. After the last language is built, `split` writes one index per language (its
pages' locations relative to that language's root, where html_edits.language_search_base points
its pages' search) and drops the zero-width spaces jieba leaves in Chinese titles.

The search plugin reads a view of each page that holds its prose only (`show_prose`, undone by
`restore_page` once the plugin has read it). Code listings are left out of the view: Python's HTML
parser, which the plugin uses, took 13 s a language on their token spans, to index nothing. What
else is not prose is marked `data-search-exclude`: the listings' titles, formulas (their TeX would
show raw in previews), and claim badges (their word would be spliced into sentences). Notebook
pages repeat their chapter's code and stay out of the index altogether.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import catalog
from html_edits import require
from mkdocs.exceptions import PluginError

ZERO_WIDTH = "\u200b"
EXCLUDED = [
    ('<div class="highlight">', "code"),
    ('<span class="arithmatex">', "math"),
    ('<div class="arithmatex">', "math"),
]
BADGE = re.compile(r'<a (?P<attributes>[^>]*class="claim"[^>]*)>')
LISTING = re.compile(r"<pre[ >].*?</pre>", re.S)  # a <pre> holds no </pre>: its text is escaped
SEARCH_ATTRIBUTE = re.compile(r'\s?data-search-\w+="[^"]+"')  # what the search plugin strips after reading
FULL_CONTENT: dict[str, tuple[str, str]] = {}  # page -> (its content, the view the plugin read)


def show_prose(page) -> None:
    """Give the search plugin the page's prose only; `restore_page` puts the page back."""
    if page.file.src_uri.startswith("notebooks/") and page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}
        return
    content = page.content
    view = LISTING.sub("", content)
    for opening, kind in EXCLUDED:
        view = view.replace(opening, opening[:-1] + f' data-search-exclude="{kind}">')
    if "md:claim" in (page.markdown or "") or 'data-claim="' in view:
        require(view, BADGE, "search show_prose (claim badges)", page.file.src_uri)
    view = BADGE.sub(lambda match: f'<a {match["attributes"]} data-search-exclude="badge">', view)
    FULL_CONTENT[page.file.src_uri] = (content, view)
    page.content = view


def restore_page(page) -> None:
    """The page's full content again, after the search plugin has read the view (and stripped its
    marks). Anything else that changed the view meanwhile would be lost: that fails the build."""
    if page.file.src_uri not in FULL_CONTENT:
        return
    content, view = FULL_CONTENT.pop(page.file.src_uri)
    if page.content not in (view, SEARCH_ATTRIBUTE.sub("", view)):
        raise PluginError(
            f"search restore_page on {page.file.src_uri}: between show_prose and restore_page something other "
            "than the search plugin changed the page; its change would be lost (hooks/search_index.py)"
        )
    page.content = content


def split(site_dir: Path, config) -> None:
    """One index per language, from the merged one."""
    merged_path = site_dir / "search" / "search_index.json"
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    languages = catalog.languages(config)
    others = [lang for lang in languages if not lang.default]
    for language in languages:
        if language.default:
            docs = [doc for doc in merged["docs"] if not any(doc["location"].startswith(o.prefix) for o in others)]
        else:
            docs = [
                doc | {"location": doc["location"].removeprefix(language.prefix)}
                for doc in merged["docs"]
                if doc["location"].startswith(language.prefix)
            ]
        for doc in docs:
            doc["title"] = doc["title"].replace(ZERO_WIDTH, "")
        lang = [lang for lang in merged["config"]["lang"] if lang in (language.locale, "en")] or [language.locale]
        index = {"config": merged["config"] | {"lang": lang}, "docs": docs}
        target = site_dir / language.prefix / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
