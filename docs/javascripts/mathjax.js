// MathJax 3 configuration, served with MathJax itself from this site (assets/mathjax/).
// Typesets arithmatex math in chapters and Markdown cells in notebook pages.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown",
  },
};

// Material's instant navigation swaps page content without a reload: typeset each new page.
// The first page is left to MathJax's own startup typeset: clearing its cache during that
// typeset drops the glyph styles and leaves the math blank.
let firstPage = true;
document$.subscribe(() => {
  if (firstPage) {
    firstPage = false;
    return;
  }
  MathJax.startup.promise = MathJax.startup.promise.then(() => {
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
