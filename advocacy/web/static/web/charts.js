// The charts are SVG drawn in a box of a set size and scaled to their card, and an SVG's text
// scales with it: in a narrow card its labels would shrink to a few pixels. Each chart is told
// its scale (--chart-scale, its width on screen over its box's), and app.css divides the text's
// size by it, so labels read at the size they are written in (11 px) at any width.
(() => {
  const scaled = new WeakSet();
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) setScale(entry.target);
  });
  function setScale(svg) {
    const box = svg.viewBox && svg.viewBox.baseVal;
    const shown = svg.getBoundingClientRect().width;
    if (!box || !box.width || !shown) return;
    const scale = Math.min(3, Math.max(0.3, shown / box.width));
    svg.style.setProperty("--chart-scale", scale.toFixed(3));
  }
  function watch(root) {
    for (const svg of root.querySelectorAll("svg.chart__svg")) {
      if (scaled.has(svg)) continue;
      scaled.add(svg);
      setScale(svg);
      observer.observe(svg);
    }
  }
  document.addEventListener("DOMContentLoaded", () => watch(document));
  document.addEventListener("htmx:afterSettle", (event) => watch(event.target));
})();
