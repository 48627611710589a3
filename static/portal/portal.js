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
document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.classList && box.classList.contains("js-check-all")) {
    var name = box.getAttribute("data-target");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (item) { item.checked = box.checked; });
  }
});
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest(".js-print") : null;
  if (target) { event.preventDefault(); window.print(); }
});
