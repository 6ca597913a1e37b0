"""MkDocs hook: render each `<!-- md:claim ID -->` as a badge tied to the test that checks it.

The badge carries data-claim="ID" and data-test="<pytest node id>" and links to the line of the
test's section in the site's copy of the test file (tests/<module>/). A claim that no test declares
stops the build. `<!-- md:claims-ledger -->` expands to every claim of the site, grouped by page,
each with its test: the same data as the badges, so the ledger cannot go stale.
"""

from __future__ import annotations

import importlib.metadata
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
    root = overlay.project_root(config)
    for path in sorted({ref.path for refs in DECLARED.values() for ref in refs}):
        module = posixpath.splitext(posixpath.basename(path))[0]
        overlay.publish_page(files, config, f"tests/{module}.md", test_page(root, path))
    return files


def test_page(root, path: str) -> str:
    """The test file as this build ran it: one section per test (anchored by its name), each
    included from the file itself with its line numbers."""
    parts = [
        f"---\ntitle: {path}\nsearch:\n  exclude: true\n---\n\n# `{path}`\n\n"
        "The tests that check the handbook's claims, as this build ran them. "
        "Each claim badge links to the section of its test here.\n"
    ]
    for name, first, last in claim_index.test_sections(root / path):
        if name:
            parts.append(f"## `{name}` {{ #{name} }}\n")
        parts.append(f'```python linenums="{first}"\n--8<-- "{path}:{first}:{last}"\n```\n')
    return "\n".join(parts)


LEDGER = "<!-- md:claims-ledger -->"
LEDGER_WORDS = {
    "en": ("{count} claims on {pages} pages. This build ran every test with torch {torch}.", "checked by", "{count} claims"),
    "zh": ("共 {count} 个论断，分布在 {pages} 个页面。本次构建用 torch {torch} 运行了全部测试。", "检验测试：", "{count} 个论断"),
}


def ledger(page, config) -> str:
    i18n = config.plugins.get("i18n")
    language = getattr(page.file, "locale", None) or (i18n.default_language if i18n else "en")
    default = i18n.default_language if i18n else "en"
    found = claim_index.statements(overlay.project_root(config) / "docs", "" if language == default else language)
    summary, checked_by, folded = LEDGER_WORDS.get(language, LEDGER_WORDS["en"])
    here = posixpath.dirname(page.file.src_uri)
    pages = list(dict.fromkeys((s.page, s.title) for s in found))
    torch = importlib.metadata.version("torch")
    lines = [summary.format(count=len(found), pages=len(pages), torch=torch), ""]
    for source, title in pages:
        claims = [s for s in found if s.page == source]
        # Folded: a closed block is not laid out, and 164 entries full of formulas made the page
        # slow to become responsive on a phone. The reader opens the chapter they want.
        lines += [f"## [{title}]({posixpath.relpath(source, here)})", "", f'??? success "{folded.format(count=len(claims))}"', ""]
        for statement in claims:
            ref = _test_of(statement.claim, page)
            module = posixpath.splitext(posixpath.basename(ref.path))[0]
            target = posixpath.relpath(f"tests/{module}.md", here)
            lines.append(
                f"    - {statement.text} `{statement.claim}`<br>{checked_by} "
                f"[`{ref.nodeid}`]({target}#{ref.anchor}){{ data-claim-ledger=\"{statement.claim}\" }}"
            )
        lines.append("")
    return "\n".join(lines)


def _test_of(claim: str, page) -> claim_index.TestRef:
    refs = DECLARED.get(claim)
    if not refs:
        raise PluginError(
            f"{page.file.src_uri}: claim '{claim}' is declared by no test. "
            f'Add @pytest.mark.claim("{claim}") to the test that checks it.'
        )
    return refs[0]


def on_page_markdown(markdown, page, config, files):
    if LEDGER in markdown:
        markdown = markdown.replace(LEDGER, ledger(page, config))

    def badge(match):
        claim = match["id"]
        ref = _test_of(claim, page)
        module = posixpath.splitext(posixpath.basename(ref.path))[0]
        target = posixpath.relpath(f"tests/{module}.md", posixpath.dirname(page.file.src_uri))
        # A Markdown link (not raw HTML) so that MkDocs resolves and checks the target.
        return (
            f"[tested]({target}#{ref.anchor})"
            f'{{ .claim data-claim="{claim}" data-test="{ref.nodeid}" title="Checked by {ref.nodeid}" }}'
        )

    return claim_index.CLAIM_SHORTCODE.sub(badge, markdown)
