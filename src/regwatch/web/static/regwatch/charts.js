// Simple charts for statistics pages, drawn with the vendored ECharts (CSP forbids inline scripts).
//
//   <div class="rw-chart" data-chart="orders-by-week" style="height: 260px" role="img" aria-label="…"></div>
//   {{ chart|json_script:"orders-by-week" }}
//
// The JSON: {type: "bar" | "line" | "pie", categories: [...], series: [{name, data, color?, stack?}],
// percent: values are percentages (0–100), y_name: axis name, horizontal: bars left to right,
// scale: the value axis need not start at 0}.
// Load this after echarts.min.js, both deferred.
(function () {
  var PALETTE = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#667382", "#f76707"];

  function option(d) {
    var fmt = d.percent ? function (v) { return v == null ? "—" : Number(v).toFixed(1) + "%"; } : function (v) { return v == null ? "—" : v; };
    var legend = d.series.length > 1 || d.type === "pie" || d.type === "line";
    if (d.type === "pie") {
      return {
        color: PALETTE, tooltip: { trigger: "item", valueFormatter: fmt },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], top: 0, bottom: 28,
                   data: d.categories.map(function (c, i) { return { name: c, value: d.series[0].data[i] }; }),
                   label: { formatter: "{b}：{c}" } }]
      };
    }
    var category = { type: "category", data: d.categories, axisLabel: { hideOverlap: true, interval: d.horizontal ? 0 : "auto" } };
    var value = { type: "value", name: d.y_name || "", minInterval: d.percent ? 0 : 1, max: d.percent ? 100 : null, scale: !!d.scale,
                  axisLabel: { formatter: d.percent ? "{value}%" : "{value}" } };
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: legend ? { top: 0, type: "scroll" } : undefined,
      // Room above the plot for the legend and the value axis's name.
      grid: { left: 8, right: 24, top: (legend ? 32 : 12) + (d.y_name && !d.horizontal ? 20 : 0), bottom: 8, containLabel: true },
      xAxis: d.horizontal ? value : category,
      yAxis: d.horizontal ? Object.assign(category, { inverse: true }) : value,
      series: d.series.map(function (s) {
        return { name: s.name, type: d.type || "bar", data: s.data, stack: s.stack, connectNulls: false,
                 itemStyle: s.color ? { color: s.color } : undefined, barMaxWidth: 36, symbolSize: 6,
                 label: { show: d.type !== "line" && d.categories.length <= 12 && !s.stack, position: d.horizontal ? "right" : "top",
                          formatter: function (p) { return fmt(p.value); } } };
      })
    };
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    var holders = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(holders, function (holder) {
      var source = document.getElementById(holder.getAttribute("data-chart"));
      if (!source) { return; }
      var chart = echarts.init(holder, null, { renderer: "canvas" });
      chart.setOption(option(JSON.parse(source.textContent)));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
