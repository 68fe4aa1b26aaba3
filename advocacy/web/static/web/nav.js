// On a phone the navigation is one row that scrolls sideways (app.css): the current page's link
// is scrolled into that row's view, so the reader sees where they are.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector(".sidenav");
  const current = nav && nav.querySelector('a[aria-current="page"]');
  if (!current || nav.scrollWidth <= nav.clientWidth) return;
  const offset = current.getBoundingClientRect().left - nav.getBoundingClientRect().left;
  nav.scrollLeft += offset - (nav.clientWidth - current.offsetWidth) / 2;
});
