// MathJax 3 configuration, served with MathJax itself from this site (assets/mathjax/).
// Typesets arithmatex math in chapters and Markdown cells in notebook pages. (Material's
// instant navigation is off, so each page load typesets its own page.)
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
