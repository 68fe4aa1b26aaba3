// A form's button is pressed once: a double click would send the form twice, and a portal link
// opens only once, so the second press would land on "this link was already used".
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (!(button instanceof HTMLButtonElement)) return;
  // After this turn, once the form's data (with the button's name and value) is taken.
  window.setTimeout(() => { button.disabled = true; }, 0);
  window.setTimeout(() => { button.disabled = false; }, 8000);
});
