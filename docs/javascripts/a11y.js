// Names and focus that the theme's HTML cannot carry at build time (axe-core checks them).
document$.subscribe(() => {
  const words = JSON.parse(document.getElementById("handbook-text").textContent);

  // Material adds a toolbar (<nav>) to a code block when the block first comes into view (feature
  // content.lazy); several unnamed navigation landmarks on one page cannot be told apart (axe-core:
  // landmark-unique). Name each one as it appears, by its block's place on the page.
  const blocks = [...document.querySelectorAll(".md-content pre")];
  const name = () => {
    document.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach((nav) => {
      nav.setAttribute("aria-label", `${words.code_actions} ${blocks.indexOf(nav.closest("pre")) + 1}`);
    });
  };
  name();
  new MutationObserver(name).observe(document.querySelector(".md-content"), { childList: true, subtree: true });

  // A display formula wider than a phone scrolls inside its block; a block that scrolls must take
  // keyboard focus (axe-core: scrollable-region-focusable). Only those that scroll, at this width.
  const formulas = [...document.querySelectorAll(".md-content div.arithmatex")];
  const focusable = () => {
    for (const formula of formulas) {
      if (formula.scrollWidth > formula.clientWidth) formula.setAttribute("tabindex", "0");
      else formula.removeAttribute("tabindex");
    }
  };
  focusable();
  window.addEventListener("resize", focusable);
});
