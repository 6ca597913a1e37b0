"""Typeset every page's math at build time, with MathJax 3 in Node (hooks/typeset.js).

Readers get finished SVG: no MathJax download (about 1 MB with fonts), no typesetting on a phone's
CPU, no layout shift when formulas replace their TeX. The SVG carries MathJax's assistive MathML,
so screen readers still read the math, and `currentColor`, so it follows the color scheme. Each
formula's glyphs are one <path> (typeset.js says why; tests/test_math_rendering.py checks the pixels).

pymdownx.arithmatex (generic mode) leaves `\\(...\\)` in <span class="arithmatex"> and `\\[...\\]` in
<div class="arithmatex">; this hook replaces their contents. A page's formulas are typeset together
and cached by their TeX under .cache/mathjax/: a rebuild that changes no math starts no Node process.
A TeX error fails the build, naming the page and the TeX. The stylesheet MathJax's SVG needs is
published once (assets/stylesheets/mathjax.css), not inlined in every page.

A value quoted inside a formula (hooks/values.py) arrives as \\handbookvalue{from}{SOURCE}{TeX}: the
formula is typeset with the TeX, and its element carries data-from="SOURCE ..." (or data-input,
data-constant), as a value in prose does.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
from pathlib import Path

import overlay
from files import write_atomic
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "typeset.js"
MATHJAX = ROOT / "node_modules" / "mathjax" / "package.json"
SVGPATH = ROOT / "node_modules" / "svgpath" / "package.json"
MATH = re.compile(r'<(?P<tag>span|div) class="arithmatex"(?P<attributes>[^>]*)>(?P<tex>.*?)</(?P=tag)>', re.S)
QUOTED_VALUE = re.compile(r"\\handbookvalue\{(?P<kind>from|input|constant)\}\{(?P<source>[^{}]*)\}\{(?P<tex>(?:[^{}]|\{[^{}]*\})*)\}")
STYLESHEET = "assets/stylesheets/mathjax.css"
DELIMITERS = {"span": ("\\(", "\\)"), "div": ("\\[", "\\]")}


class Typesetter:
    """One Node process, started on the first cache miss and kept for the rest of the build."""

    def __init__(self):
        self.process = None
        self.stylesheet = None

    def start(self):
        if not MATHJAX.is_file():
            raise PluginError(f"MathJax is not installed ({MATHJAX} is missing): run `make site` (it runs `npm ci`).")
        try:
            self.process = subprocess.Popen(
                ["node", str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
            )
        except FileNotFoundError:
            raise PluginError("Node.js (`node`) is needed to typeset the math at build time: install it (Debian: nodejs).") from None
        self.stylesheet = self._receive()["stylesheet"]

    def _receive(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise PluginError(f"{SCRIPT.name} stopped (exit code {self.process.wait()}); its error is printed above")
        return json.loads(line)

    def typeset(self, math: list[tuple[str, bool]]) -> dict:
        if self.process is None:
            self.start()
        self.process.stdin.write(json.dumps(math) + "\n")
        self.process.stdin.flush()
        return self._receive()

    def close(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait()
            self.process = None


TYPESETTER = Typesetter()


def cache_dir(config) -> Path:
    """One folder per MathJax and svgpath version and typesetting script: changing any retypesets everything."""
    key = hashlib.sha256(MATHJAX.read_bytes() + SVGPATH.read_bytes() + SCRIPT.read_bytes()).hexdigest()[:16]
    return overlay.project_root(config) / ".cache" / "mathjax" / key


def load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, or corrupt: typeset again
        return None


def save(path: Path, value: dict) -> None:
    write_atomic(path, json.dumps(value))


def stylesheet(config) -> str:
    path = cache_dir(config) / "stylesheet.json"
    saved = load(path)
    if saved is None:
        if TYPESETTER.stylesheet is None:
            TYPESETTER.start()
        saved = {"stylesheet": TYPESETTER.stylesheet}
        save(path, saved)
    return saved["stylesheet"]


def on_config(config):
    if STYLESHEET not in config.extra_css:
        config.extra_css.insert(0, STYLESHEET)


def publish_stylesheet(files, config):
    overlay.publish(files, config, STYLESHEET, stylesheet(config))


def typeset(output: str, page, config) -> str:
    """The page's HTML with every formula typeset."""
    found = list(MATH.finditer(output))
    if not found:
        return output
    math, provenance = [], []
    for match in found:
        opening, closing = DELIMITERS[match["tag"]]
        tex = html.unescape(match["tex"]).strip()
        if not (tex.startswith(opening) and tex.endswith(closing)):
            raise PluginError(f"{page.file.src_uri}: math not in {opening} {closing}: {tex[:80]}")
        quoted = {}
        for value in QUOTED_VALUE.finditer(tex):
            quoted.setdefault(value["kind"], []).append(value["source"])
        tex = QUOTED_VALUE.sub(lambda value: value["tex"], tex)
        math.append((tex[len(opening) : -len(closing)], match["tag"] == "div"))
        provenance.append("".join(f' data-{kind}="{html.escape(" ".join(sources))}"' for kind, sources in quoted.items()))
    key = hashlib.sha256(json.dumps(math).encode()).hexdigest()
    path = cache_dir(config) / f"{key}.json"
    typeset = load(path)
    if typeset is None:
        typeset = TYPESETTER.typeset(math)
        if "error" in typeset:
            raise PluginError(f"{page.file.src_uri}: {typeset['error']}")
        save(path, typeset)

    formulas = iter(zip(typeset["html"], provenance))

    def replace(match):
        formula, origin = next(formulas)
        return f'<{match["tag"]} class="arithmatex"{match["attributes"]}{origin}>{formula}</{match["tag"]}>'

    return MATH.sub(replace, output)


def close():
    TYPESETTER.close()
