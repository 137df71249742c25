// Hai Chiều: draw the charts of a page (core/charts.py, _chart.html) with Chartkick.js over Chart.js,
// both served by the app. Each chart element names the JSON script element that holds its data.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Chartkick) return;
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    if (typeof Chartkick[spec.type] !== "function") return;
    new Chartkick[spec.type](element, spec.data, spec.options);
  });
});
