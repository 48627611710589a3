// Behaviour of the portal's pages, kept out of the HTML so that the Content-Security-Policy can forbid
// inline scripts. A checkbox with data-select-all="name" ticks or clears every checkbox of that name.
document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-select-all]");
  if (!box) return;
  document.querySelectorAll(`input[type="checkbox"][name="${box.dataset.selectAll}"]`).forEach((other) => {
    other.checked = box.checked;
  });
});
