// A form marked data-confirm="question" asks before it is sent: destructive actions
// (revoking a key, resetting a password, erasing a person, an opt-out) never happen on one
// stray click. A button may carry its own data-confirm, for a form whose other buttons are
// harmless (an asset's moves: only revoking and expiring ask). Refused, the submit stops here,
// before htmx or the browser sends anything.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = event.submitter?.dataset.confirm || form.dataset.confirm;
  if (!question || window.confirm(question)) return;
  event.preventDefault();
  event.stopPropagation();
}, true);

// A table that scrolls sideways inside its card (a phone) can be scrolled from the keyboard:
// the wrapper takes focus and is named after its table's caption or the card's heading.
function focusableTableWraps(root) {
  for (const wrap of root.querySelectorAll(".table-wrap:not([tabindex])")) {
    wrap.tabIndex = 0;
    if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
    if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
      const named = wrap.querySelector("caption")
        || wrap.closest("section, .card")?.querySelector("h1, h2, h3");
      wrap.setAttribute("aria-label", (named?.textContent || "Table").trim());
    }
  }
}
document.addEventListener("DOMContentLoaded", () => focusableTableWraps(document));
document.addEventListener("htmx:afterSettle", (event) => focusableTableWraps(event.target));
