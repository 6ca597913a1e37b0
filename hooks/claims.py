"""MkDocs hook: render each `<!-- md:claim ID -->` as a badge tied to the test that checks it.

The badge carries data-claim="ID" and data-test="<pytest node id>" and links to the line of the
test in the site's copy of the test file (tests/<module>/). A claim that no test declares
stops the build.
"""

from __future__ import annotations

import posixpath

import claim_index
import overlay
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

DECLARED: dict[str, list[claim_index.TestRef]] = {}


def on_config(config):
    DECLARED.clear()
    DECLARED.update(claim_index.declared(overlay.project_root(config) / "tests"))


@event_priority(-200)  # after mkdocs-static-i18n: see overlay.publish_page
def on_files(files, config):
    for path in sorted({ref.path for refs in DECLARED.values() for ref in refs}):
        module = posixpath.splitext(posixpath.basename(path))[0]
        page = (
            f"---\ntitle: {path}\nsearch:\n  exclude: true\n---\n\n# `{path}`\n\n"
            "The tests that check the handbook's claims, as this build ran them. "
            "Each claim badge on a chapter links to the line of its test here.\n\n"
            f'```python linenums="1"\n--8<-- "{path}"\n```\n'
        )
        overlay.publish_page(files, config, f"tests/{module}.md", page)
    return files


def on_page_markdown(markdown, page, config, files):
    def badge(match):
        claim = match["id"]
        refs = DECLARED.get(claim)
        if not refs:
            raise PluginError(
                f"{page.file.src_uri}: claim '{claim}' is declared by no test. "
                f'Add @pytest.mark.claim("{claim}") to the test that checks it.'
            )
        ref = refs[0]
        module = posixpath.splitext(posixpath.basename(ref.path))[0]
        target = posixpath.relpath(f"tests/{module}.md", posixpath.dirname(page.file.src_uri))
        # A Markdown link (not raw HTML) so that MkDocs resolves and checks the target.
        return (
            f"[tested]({target}#__codelineno-0-{ref.line})"
            f'{{ .claim data-claim="{claim}" data-test="{ref.nodeid}" title="Checked by {ref.nodeid}" }}'
        )

    return claim_index.CLAIM_SHORTCODE.sub(badge, markdown)
