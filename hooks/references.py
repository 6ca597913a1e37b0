"""Works the pages cite, listed once in docs/references.yml and cited by key.

  <!-- md:cite kingma2015 -->  ->  Diederik P. Kingma and Jimmy Ba, *Adam: A Method for Stochastic
                                   Optimization* (ICLR 2015), linked to its address

A citation is the same in every language (titles stay in their original language), and an unknown
key fails the build. Years and venue numbers in a citation are references, not quoted results.
"""

from __future__ import annotations

import functools
from pathlib import Path

import overlay
import yaml
from shortcodes import Context, shortcode

FIELDS = {"authors", "title", "where", "url"}


@functools.cache
def _references(path: Path) -> dict:
    if not path.is_file():
        return {}
    references = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key, entry in references.items():
        if set(entry) - FIELDS or not {"authors", "title", "url"} <= set(entry):
            raise ValueError(f"docs/references.yml: '{key}' needs authors, title, url (and optionally where), nothing else")
    return references


@shortcode("cite", "<!-- md:cite KEY -->")
def cite(args: list[str], context: Context) -> str:
    if len(args) != 1:
        raise ValueError("give one reference key")
    references = _references(overlay.project_root(context.config) / "docs" / "references.yml")
    if args[0] not in references:
        raise ValueError(f"no reference '{args[0]}' in docs/references.yml (known: {', '.join(sorted(references))})")
    entry = references[args[0]]
    where = f" ({entry['where']})" if entry.get("where") else ""
    if context.mode == "plain":
        return f"{entry['authors']}, {entry['title']}{where}"
    return f'{entry["authors"]}, [*{entry["title"]}*]({entry["url"]}){{ .cite data-cite="{args[0]}" }}{where}'
