"""The handbook's MkDocs hook: every step the build adds to MkDocs, in the order it runs.

mkdocs.yml names this one file; the steps live in the modules it imports, one job each:

  on_config        catalog.py        the text catalogs are complete for every language
                   claims.py         which test declares which claim; the last test run's outcomes
                   mathjax.py        its stylesheet joins the page's stylesheets
                   code_tokens.py    Python listings without a span per plain name or space
  on_pre_build     notebooks.py      mkdocs-jupyter keeps its cache of notebook pages (default
                                     language only, as the pages are)
  on_files         snippets.py       run every snippet (cached, in parallel); publish figures, notebooks
  (after i18n)     claims.py         a page per test file
                   mathjax.py        the stylesheet, as a file
  on_page_markdown numbers.py        no number typed into a chapter's prose (the build fails on one)
                   shortcodes.py     expand every <!-- md:... --> form: snippets.py, claims.py,
                                     values.py register theirs; figures.py turns figure images into
                                     sized, linked <picture>s
  on_page_context  search_index.py   search reads a view of the page: prose, not code, formulas
                                     or badges; the page is restored once it has read it
  on_post_page     html_edits.py     the ordered, loud edits of the finished HTML (math typeset first)
  on_post_template html_edits.py     the same for 404.html, kept from the default language's build
  on_post_build    figures.py        every figure a snippet drew is on a page of this language
  (last language)  html_edits.py     the loud edits of the theme's files (ASSET_EDITS)
                   search_index.py   one search index per language
                   stamp.py          site/.stamp: the hash of the sources this site was built from

mkdocs-static-i18n builds the site once per language in one process, so these run once per language;
snippet results are kept in memory between the builds.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the modules beside this hook

import catalog  # noqa: E402
import claims  # noqa: E402
import code_tokens  # noqa: E402
import figures  # noqa: E402, F401 - registers the figure images
import html_edits  # noqa: E402
import mathjax  # noqa: E402
import notebooks  # noqa: E402
import typed_numbers  # noqa: E402
import overlay  # noqa: E402
import search_index  # noqa: E402
import shortcodes  # noqa: E402
import snippets  # noqa: E402
import stamp  # noqa: E402
import references  # noqa: E402, F401 - registers md:cite
import values  # noqa: E402, F401 - registers md:value, md:input, md:constant, md:version, md:table
from files import write_atomic  # noqa: E402
from mkdocs.plugins import CombinedEvent, event_priority  # noqa: E402

log = logging.getLogger("mkdocs.handbook")
NOT_FOUND: dict[str, str] = {}  # 404.html as the default language's build rendered it


def _quiet_third_parties() -> None:
    """The build log shows the handbook's progress, not every notebook cache hit."""
    for name in ("mkdocs.plugins.mkdocs_jupyter", "mkdocs.mkdocs-jupyter", "jieba"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import jieba

    jieba.setLogLevel(logging.WARNING)


def _i18n(config):
    return config.plugins.get("i18n")


def _is_default_language(config) -> bool:
    i18n = _i18n(config)
    return i18n is None or i18n.current_language == catalog.languages(config)[0].locale


def _is_last_build(config) -> bool:
    """True in the outermost build, once i18n has built every other language inside it."""
    i18n = _i18n(config)
    return i18n is None or not i18n.building


def on_config(config):
    _quiet_third_parties()
    catalog.use_project(overlay.project_root(config))
    catalog.check_complete(config)
    claims.on_config(config)
    mathjax.on_config(config)
    code_tokens.on_config(config)
    typed_numbers.REPORT.clear()
    return config


def on_pre_build(config):
    notebooks.keep_rendered_pages(config, _is_default_language(config))


@event_priority(-200)  # after mkdocs-static-i18n: see overlay.publish_page
def on_files(files, config):
    snippets.run_all(config)
    snippets.publish(files, config)
    claims.publish_test_pages(files, config)
    mathjax.publish_stylesheet(files, config)
    return files


def on_page_markdown(markdown, page, config, files):
    root = overlay.project_root(config)
    if page.file.abs_src_path and Path(page.file.abs_src_path).is_relative_to(root / "docs"):
        typed_numbers.check(markdown, page)
    context = shortcodes.Context(page, config, files)
    if page.meta.get("description"):
        page.meta["description"] = shortcodes.expand_plain(str(page.meta["description"]), context)
    return shortcodes.expand(markdown, context)


@event_priority(100)  # before the search plugin indexes the page
def _before_search(context, page, config, nav):
    search_index.show_prose(page)
    return context


@event_priority(-100)  # after the search plugin has indexed the page
def _after_search(context, page, config, nav):
    search_index.restore_page(page)
    return context


on_page_context = CombinedEvent(_before_search, _after_search)


def on_post_page(output, page, config):
    return html_edits.edit_page(output, page, config)


def on_post_template(output, template_name, config):
    if template_name != "404.html":
        return output
    if _is_default_language(config):
        NOT_FOUND["html"] = html_edits.edit_template(output, template_name, config)
    return NOT_FOUND.get("html", output)


@event_priority(-150)  # after mkdocs-static-i18n has built the other languages and merged their search
def on_post_build(config):
    if _is_last_build(config):
        finish(config)


def on_shutdown():
    mathjax.close()


def finish(config) -> None:
    """Once every language is built: shared files, per-language search, the stamp."""
    site = Path(config.site_dir)
    root = overlay.project_root(config)
    figures.check_every_figure_shown(config)
    for path, css in html_edits.SHARED_CSS.items():
        write_atomic(site / path, css)
    for edit in html_edits.ASSET_EDITS:
        edit(site)
    if "html" in NOT_FOUND:
        write_atomic(site / "404.html", NOT_FOUND["html"])
    if _i18n(config) and {"search", "material/search"} & set(config.plugins):
        search_index.split(site, config)
    typed_numbers.log_report(log)
    stamp.write(site, root)

