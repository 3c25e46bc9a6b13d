// Dark mode toggle (issue 21). The page follows the system (prefers-color-scheme) until the
// agent presses the toggle; the choice is kept in the `theme` cookie, which the server renders
// as <html data-theme="light|dark">, so the next page paints in the right colours at once.
// A separate file so the strict CSP (script-src 'self') holds and app.js stays the inbox's.
"use strict";

(function () {
  const root = document.documentElement;
  const media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  const isDark = () => root.dataset.theme ? root.dataset.theme === "dark" : Boolean(media && media.matches);

  function show() {
    document.querySelectorAll("[data-action='theme']").forEach((button) => {
      button.setAttribute("aria-pressed", isDark() ? "true" : "false");
    });
  }

  document.addEventListener("click", (ev) => {
    const button = ev.target.closest && ev.target.closest("[data-action='theme']");
    if (!button) return;
    ev.preventDefault();
    const next = isDark() ? "light" : "dark";
    root.dataset.theme = next;
    document.cookie = "theme=" + next + "; path=/; max-age=31536000; SameSite=Lax";
    show();
  });
  // The skip link: move the keyboard focus itself, not only the scroll position.
  document.addEventListener("click", (ev) => {
    const link = ev.target.closest && ev.target.closest(".skip-link");
    const target = link && document.getElementById("main");
    if (!target) return;
    ev.preventDefault();
    target.focus();
  });
  if (media && media.addEventListener) media.addEventListener("change", show);
  document.addEventListener("DOMContentLoaded", show);
})();
