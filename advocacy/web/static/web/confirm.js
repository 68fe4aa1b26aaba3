// A form marked data-confirm="question" asks before it is sent: destructive actions
// (revoking a key, resetting a password, erasing a person) never happen on one stray click.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);
