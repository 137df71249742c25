// Draws the statistics page's charts with Chartkick (Chart.js), both served by the app. The data
// are in <script type="application/json"> blocks (json_script): no inline script, as the CSP asks.
// The tables under the charts hold the same figures, so nothing is lost without JavaScript.
(function () {
  "use strict";
  function draw() {
    if (!window.Chartkick) { return; }
    document.querySelectorAll(".statistics-chart").forEach(function (element) {
      var source = document.getElementById(element.dataset.source);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var options = { legend: "bottom", empty: "Chưa có số liệu", loading: "Đang vẽ biểu đồ…" };
      if (element.dataset.suffix) { options.suffix = element.dataset.suffix; options.max = 100; }
      if (element.dataset.chart === "column") {
        new Chartkick.ColumnChart(element.id, data, options);
      } else {
        new Chartkick.LineChart(element.id, data, options);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
