// Hai Chiều: the little behaviour the pages need beyond htmx.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.toggle[data-children-url]");
  if (!button) return;
  var list = button.parentElement.querySelector(":scope > ul");
  if (button.getAttribute("aria-expanded") === "true") {
    list.innerHTML = "";
    button.setAttribute("aria-expanded", "false");
    button.textContent = "▸";
    return;
  }
  button.setAttribute("aria-expanded", "true");
  button.textContent = "▾";
  htmx.ajax("GET", button.dataset.childrenUrl, { target: list, swap: "innerHTML" });
});

// Forms that do something hard to undo ask first: <form data-confirm="Ngừng hoạt động …?">.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// After a failed submit the page opens on its error summary (_error_summary.html, the sign-in
// error): focus it, so a screen reader reads what is wrong and Tab goes on to the first field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});

// htmx updates announce themselves in base.html's live region (#live-status): results replaced
// ("12 dòng kết quả"), a dependent <select> reloaded ("Tổ/nhóm: 4 lựa chọn").
function announce(message) {
  var status = document.getElementById("live-status");
  if (!status || !message) return;
  status.textContent = "";
  window.setTimeout(function () { status.textContent = message; }, 50);
}

document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target || target.closest(".tree")) return;  // the tree's ▸ says aria-expanded itself
  if (target.tagName === "SELECT") {
    var label = target.labels && target.labels.length ? target.labels[0].textContent.replace("*", "").trim() : "";
    var count = Array.prototype.filter.call(target.options, function (o) { return o.value !== ""; }).length;
    announce((label ? label + ": " : "") + "đã cập nhật, " + count + " lựa chọn.");
    return;
  }
  var problems = target.querySelector("[role=alert]");
  var rows = target.querySelectorAll("tbody tr[data-row]").length;
  var message = rows ? "Đã cập nhật kết quả: " + rows + " dòng." : "Đã cập nhật kết quả: không có dòng nào.";
  announce(problems ? problems.textContent.trim() + " " + message : message);
});

// A list with a bulk action (<form data-bulk>, the action's controls in [data-bulk-actions]):
// Enter on a row's checkbox goes to the action instead of submitting the form unfinished, so the
// action is one key away from the selection however many rows lie between.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter") return;
  var box = event.target;
  if (!box.matches || !box.matches("form[data-bulk] input[type=checkbox]")) return;
  var actions = box.form.querySelector("[data-bulk-actions]");
  var first = actions && actions.querySelector("select, input:not([type=hidden]), button");
  if (!first) return;
  event.preventDefault();
  first.focus();
});

// A table wider than the screen scrolls sideways inside .table-responsive. With no link or field
// in it a keyboard could not scroll it, so while it overflows it takes the focus itself, named by
// its caption or the heading above it (WCAG 2.1.1; axe's scrollable-region-focusable).
function scrollableTables() {
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    var focusable = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (overflows && !focusable && !box.hasAttribute("tabindex")) {
      var caption = box.querySelector("caption");
      var heading = box.previousElementSibling;
      while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", ((caption || heading) ? (caption || heading).textContent.trim() + " — " : "") + "bảng cuộn ngang");
      box.dataset.scrollFocus = "1";
    } else if (!overflows && box.dataset.scrollFocus) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      delete box.dataset.scrollFocus;
    }
  });
}
document.addEventListener("DOMContentLoaded", scrollableTables);
window.addEventListener("resize", scrollableTables);
document.addEventListener("htmx:afterSettle", scrollableTables);
