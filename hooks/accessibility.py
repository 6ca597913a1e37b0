"""MkDocs hook: fix what axe-core reports in the theme's and mkdocs-jupyter's HTML.

* Material's search dialog has no accessible name (aria-dialog-name).
* Notebook code cells scroll sideways but cannot take keyboard focus (scrollable-region-focusable).
* So would a code block that is not yet in view: Material makes a block that scrolls focusable
  when it first comes into view (feature content.lazy). Every block starts focusable; Material
  drops the tab stop from those that do not scroll once it has measured them.
Material inserts code-block toolbars in the browser; docs/javascripts/a11y.js names those.
"""

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NOTEBOOK_CODE = '<div class="highlight-ipynb hl-python">'
CODE_BLOCK = "<pre><span></span><code>"
SEARCH_NAME = {"en": "Search", "zh": "搜索"}


def name_search_dialog(output: str, language: str) -> str:
    label = SEARCH_NAME.get(language, SEARCH_NAME["en"])
    return output.replace(SEARCH_DIALOG, SEARCH_DIALOG.replace('role="dialog"', f'role="dialog" aria-label="{label}"'))


def on_post_page(output, page, config):
    output = name_search_dialog(output, getattr(page.file, "locale", "en"))
    output = output.replace(CODE_BLOCK, CODE_BLOCK.replace("<code>", '<code tabindex="0">'))
    return output.replace(NOTEBOOK_CODE, NOTEBOOK_CODE.replace(">", ' tabindex="0">'))


def on_post_template(output, template_name, config):
    """404.html is rendered as a template, not as a page."""
    return name_search_dialog(output, config.theme.get("language", "en"))
