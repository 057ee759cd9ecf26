/* The command view's twelve-month chart (ECharts). Figures and series names come from the
   json_script blocks #trend-data and #trend-labels. The vendored simple build has no tooltip
   component; should a full build replace it, renderMode "richText" keeps the tooltip on the canvas
   (the HTML tooltip writes style attributes, which the Content-Security-Policy does not allow). */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("trend-chart");
    var dataEl = document.getElementById("trend-data");
    var labelsEl = document.getElementById("trend-labels");
    if (!window.echarts || !el || !dataEl || !labelsEl) return;
    var t = JSON.parse(dataEl.textContent);
    var names = JSON.parse(labelsEl.textContent);
    var chart = echarts.init(el);
    var keys = ["hazards_reported", "hazards_closed", "inspections", "alarms"];
    chart.setOption({
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {top: 0},
      grid: {left: 36, right: 12, top: 48, bottom: 28},
      xAxis: {type: "category", data: t.months},
      yAxis: {type: "value", minInterval: 1},
      series: keys.map(function (k, i) { return {name: names[k], type: i < 2 ? "bar" : "line", data: t[k]}; })
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
