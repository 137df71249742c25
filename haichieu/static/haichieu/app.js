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
