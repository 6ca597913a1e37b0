// Material adds a toolbar (<nav>) to every code block in the browser; several unnamed navigation
// landmarks on one page cannot be told apart (axe-core: landmark-unique). Name each one.
document$.subscribe(() => {
  setTimeout(() => {
    const label = document.documentElement.lang.startsWith("zh") ? "代码块操作" : "Code block actions";
    document.querySelectorAll("nav.md-code__nav").forEach((nav, index) => {
      nav.setAttribute("aria-label", `${label} ${index + 1}`);
    });
  }, 0);
});
