// Small behaviours of the portal's pages (no inline scripts: the content security policy forbids them).
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-check-all]");
  if (!box) return;
  const form = box.closest("form");
  form.querySelectorAll(`input[type=checkbox][name="${box.dataset.checkAll}"]`).forEach((item) => {
    item.checked = box.checked;
  });
});

// Tables read as cards on phones (portal.css): each cell gets its column heading as data-label.
function labelTables(root) {
  root.querySelectorAll("table.table").forEach((table) => {
    if (table.dataset.cards === "off") return;
    const rows = table.querySelectorAll(":scope > thead > tr");
    if (!rows.length) return;
    const headings = [];
    rows[rows.length - 1].querySelectorAll(":scope > th, :scope > td").forEach((cell) => {
      for (let i = 0; i < (cell.colSpan || 1); i += 1) headings.push(cell.innerText.trim());
    });
    table.classList.add("portal-cards");
    table.querySelectorAll(":scope > tbody > tr, :scope > tfoot > tr").forEach((row) => {
      let column = 0;
      Array.from(row.children).forEach((cell) => {
        const heading = headings[column];
        if (heading && !cell.dataset.label && (cell.colSpan || 1) === 1) cell.dataset.label = heading;
        column += cell.colSpan || 1;
      });
    });
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => labelTables(document));
} else {
  labelTables(document);
}
document.addEventListener("htmx:afterSwap", (event) => labelTables(event.target));

// A report's 服务人次 is the total of its figures table (R-SVC-1): the field shows the running total as a hint.
function showPeopleTotal() {
  const field = document.getElementById("id_people_served");
  if (!field) return;
  let total = 0;
  document.querySelectorAll("table.figures input[name$='_people']").forEach((input) => {
    total += parseInt(input.value, 10) || 0;
  });
  // A value that was the table's total follows the table; a value typed otherwise stays (and is checked on saving).
  if (field.dataset.tableTotal !== undefined && field.value === field.dataset.tableTotal) field.value = String(total);
  field.placeholder = String(total);
  field.dataset.tableTotal = String(total);
}
document.addEventListener("input", (event) => {
  if (event.target.closest("table.figures")) showPeopleTotal();
});
document.addEventListener("DOMContentLoaded", showPeopleTotal);

// A link that starts something (an export job) is sent as a POST with the CSRF token: the page it sits on may be
// cached for everyone of the same scope, so it carries no token of its own. Without scripts, the link opens a page
// that asks to confirm.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-post]");
  if (!link) return;
  event.preventDefault();
  const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  const form = document.createElement("form");
  form.method = "post";
  form.action = link.pathname;
  const fields = new URLSearchParams(link.dataset.post);
  if (token) fields.append("csrfmiddlewaretoken", token.split("=")[1]);
  fields.forEach((value, name) => {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  });
  document.body.appendChild(form);
  form.submit();
});
