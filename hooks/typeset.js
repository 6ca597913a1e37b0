// Typesets TeX into SVG with MathJax 3 in Node, for hooks/mathjax.py (math is set at build time,
// so readers download no MathJax and pages do not shift while typesetting).
//
// Protocol, one JSON document per line:
//   first line out:  {"stylesheet": "..."}                 CSS the SVG output needs, once per site
//   each line in:    [["TeX", display], ...]               all the math of one page
//   each answer out: {"html": ["<mjx-container>", ...], "defs": "<svg ...>"} or {"error": "..."}
// Glyph paths are shared by every formula of a page (fontCache "global"): "defs" holds them once.
const readline = require("readline");

const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

require("mathjax")
  .init({
    loader: { load: ["input/tex", "output/svg", "a11y/assistive-mml"] },
    tex: {
      // A TeX error or an undefined macro fails the build instead of rendering red text on the page.
      packages: { "[-]": ["noundefined"] },
      formatError: (jax, error) => {
        throw error;
      },
    },
    svg: { fontCache: "global" },
    startup: { typeset: false },
  })
  .then(async (MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const output = MathJax.startup.output;
    send({ stylesheet: adaptor.textContent(MathJax.svgStylesheet()) });
    const lines = readline.createInterface({ input: process.stdin, terminal: false });
    for await (const line of lines) {
      output.clearFontCache();
      const html = [];
      let error = null;
      for (const [tex, display] of JSON.parse(line)) {
        try {
          const node = await MathJax.tex2svgPromise(tex, { display });
          const markup = adaptor.outerHTML(node);
          if (markup.includes('data-mml-node="merror"')) {
            throw new Error(adaptor.textContent(node).trim() || "unknown TeX error");
          }
          html.push(markup);
        } catch (caught) {
          error = `${caught.message} in TeX: ${tex}`;
          break;
        }
      }
      if (error) {
        send({ error });
        continue;
      }
      const defs = adaptor.outerHTML(output.fontCache.getCache());
      send({ html, defs: `<svg id="MJX-SVG-global-cache" style="display: none" aria-hidden="true">${defs}</svg>` });
    }
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
