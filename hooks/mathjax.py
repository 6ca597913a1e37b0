"""MkDocs hook: serve MathJax from the site itself (no CDN, works offline).

MathJax 3 comes from npm (package.json pins it; `make site` installs it into node_modules/).
Its component script and woff fonts are published under assets/mathjax/, keeping MathJax's
own layout so the script finds its fonts relative to itself.
"""

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

MATHJAX_ES5 = Path(__file__).resolve().parent.parent / "node_modules" / "mathjax" / "es5"
FONTS = "output/chtml/fonts/woff-v2"


def on_files(files, config):
    if not (MATHJAX_ES5 / "tex-chtml.js").is_file():
        raise PluginError(f"MathJax is not installed at {MATHJAX_ES5}: run `make site` (it runs `npm ci`).")
    fonts = sorted(f"{FONTS}/{font.name}" for font in (MATHJAX_ES5 / FONTS).glob("*.woff"))
    for relative in ["tex-chtml.js", *fonts]:
        destination = f"assets/mathjax/{relative}"
        files.append(File(relative, str(MATHJAX_ES5), config["site_dir"], config["use_directory_urls"], dest_uri=destination))
    return files
