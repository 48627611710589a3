// The portal's only script for every page (no inline scripts: CSP): the phone menu, back-to-top, "返回上一页".
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("main-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    var top = document.querySelector(".back-to-top");
    if (top) {
      var update = function () { top.hidden = window.scrollY < window.innerHeight; };
      window.addEventListener("scroll", update, { passive: true });
      update();
      top.addEventListener("click", function (event) {
        event.preventDefault();
        window.scrollTo({ top: 0, behavior: "smooth" });
      });
    }
    // A table box that scrolls sideways (a phone) is reachable by keyboard and named for screen readers
    // by its table's caption or the heading above it.
    var headings = document.querySelectorAll("main h1, main h2, main h3");
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      var caption = box.querySelector("caption");
      var heading = null;
      headings.forEach(function (candidate) {
        if (candidate.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) { heading = candidate; }
      });
      var name = caption ? caption.textContent : heading ? heading.textContent : "表格";
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) { box.setAttribute("aria-label", name.replace(/\s+/g, " ").trim() + "（可横向滚动）"); }
    });
    document.querySelectorAll(".js-back").forEach(function (link) {
      var referrer = document.referrer;
      if (referrer && referrer.indexOf(window.location.origin + "/") === 0 && referrer !== window.location.href) {
        link.setAttribute("href", referrer);
      }
    });
    document.querySelectorAll("[data-refresh-seconds]").forEach(function (element) {
      var seconds = parseInt(element.getAttribute("data-refresh-seconds"), 10) || 3;
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    });
  });
})();
// Behaviour of the portal's pages, kept out of the HTML so that the Content-Security-Policy can forbid
// inline scripts. A checkbox with data-select-all="name" ticks or clears every checkbox of that name.
document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-select-all]");
  if (!box) return;
  document.querySelectorAll(`input[type="checkbox"][name="${box.dataset.selectAll}"]`).forEach((other) => {
    other.checked = box.checked;
  });
});
// A link or button with class js-print prints the page (the print stylesheet leaves the record only).
document.addEventListener("click", (event) => {
  const target = event.target.closest(".js-print");
  if (!target) return;
  event.preventDefault();
  window.print();
});
