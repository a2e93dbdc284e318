// Small behaviours of the portal's pages (no inline scripts: the content security policy forbids them).
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-check-all]");
  if (!box) return;
  const form = box.closest("form");
  form.querySelectorAll(`input[type=checkbox][name="${box.dataset.checkAll}"]`).forEach((item) => {
    item.checked = box.checked;
  });
});
