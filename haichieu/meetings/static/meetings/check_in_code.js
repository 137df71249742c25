/* The check-in code rotates: the page is loaded again every data-refresh seconds (a new signed code). */
(function () {
  "use strict";
  var box = document.getElementById("check-in-code");
  if (!box) { return; }
  var seconds = parseInt(box.dataset.refresh, 10) || 30;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
}());
