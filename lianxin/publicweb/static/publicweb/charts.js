// Charts drawn with the vendored Apache ECharts (static/vendor/echarts/echarts.min.js, loaded before this file) from
// JSON tables in the page, never from inline script (the Content-Security-Policy allows only 'self' script files):
//
//   <div class="chart" data-chart="DATA-ID" role="img" aria-label="…（数据见下表）" hidden></div>
//   <script type="application/json" id="DATA-ID">
//     {"type": "bar" | "line" | "pie", "unit": "件", "categories": ["武康街道", …],
//      "series": [{"name": "收到", "data": [12, null, …]}]}            (a pie: "data": [{"name": …, "value": …}])
//   </script>
//
// The table a chart is drawn from stays in the page (under the chart, or in 查看数据表), so the page says the same
// without JavaScript: a box stays hidden until its chart is drawn. null is a figure not shown (a small count
// suppressed, a rate hidden): it is not drawn. Charts follow the box's width: horizontal bars and small type on a
// phone, larger type on a 1920×1080 wall screen.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined" || !document.querySelectorAll) return;
  var echarts = window.echarts;
  var COLOURS = ["#a3141c", "#0b5cad", "#b7791f", "#1a7f37", "#8250df", "#bc4c00", "#0e7490", "#57606a",
    "#be185d", "#4d7c0f", "#1e3a8a", "#92400e"];

  // A wall screen is read from across the room: its type follows the screen, not the (half-width) box.
  function fontSize(width) {
    if (window.innerWidth >= 1600) return 18;
    return width >= 1100 ? 18 : width >= 640 ? 14 : 12;
  }

  function shown(value, unit) {
    return value === null || value === undefined ? "—" : value + unit;
  }

  function barHeight(spec, horizontal, size) {
    if (!horizontal) return Math.round(size * 22);
    var rows = spec.categories.length * Math.max(1, spec.series.length);
    return Math.max(220, rows * (size + 8) + spec.categories.length * 8 + 80);
  }

  function cartesian(spec, box, size) {
    var width = box.clientWidth;
    var unit = spec.unit || "";
    var horizontal = spec.type === "bar" && width < 640;
    var text = { fontSize: size, color: "#1f2328" };
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      axisLabel: { fontSize: size, color: "#1f2328", hideOverlap: true },
      axisTick: { alignWithLabel: true }
    };
    var valueAxis = {
      type: "value",
      minInterval: unit === "%" ? 0 : 1,
      axisLabel: { fontSize: size, color: "#57606a", formatter: "{value}" + (unit === "%" ? "%" : "") },
      name: unit && unit !== "%" ? unit : "",
      nameTextStyle: { fontSize: size, color: "#57606a" }
    };
    if (horizontal) {
      categoryAxis.inverse = true;  // the table's first row at the top
    } else if (spec.type === "bar" && spec.categories.length > 6) {
      categoryAxis.axisLabel.rotate = width < 1100 ? 30 : 0;
      categoryAxis.axisLabel.interval = 0;
    }
    box.style.height = (spec.type === "bar" ? barHeight(spec, horizontal, size) : Math.round(size * 22)) + "px";
    return {
      color: COLOURS,
      textStyle: text,
      animation: false,
      legend: { top: 0, textStyle: text, itemWidth: size * 1.4, itemHeight: size * 0.9 },
      grid: { top: size * 3, left: 8, right: size * 2, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: spec.type === "bar" ? "shadow" : "line" },
        textStyle: { fontSize: size },
        valueFormatter: function (value) { return shown(value, unit); }
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (series) {
        return {
          type: spec.type,
          name: series.name,
          data: series.data,
          connectNulls: false,
          barMaxWidth: size * 2.5,
          symbolSize: size * 0.5,
          lineStyle: { width: size / 6 }
        };
      })
    };
  }

  function pie(spec, box, size) {
    var width = box.clientWidth;
    var unit = spec.unit || "";
    var narrow = width < 640;
    box.style.height = Math.round(size * (narrow ? 26 : 24)) + "px";
    var series = spec.series[0];
    return {
      color: COLOURS,
      textStyle: { fontSize: size, color: "#1f2328" },
      animation: false,
      tooltip: {
        trigger: "item",
        textStyle: { fontSize: size },
        formatter: function (item) { return item.name + "：" + shown(item.value, unit) + "（" + item.percent + "%）"; }
      },
      legend: narrow ? { type: "scroll", bottom: 0, textStyle: { fontSize: size } } : { show: false },
      series: [{
        type: "pie",
        name: series.name,
        radius: narrow ? ["30%", "55%"] : ["35%", "65%"],
        center: ["50%", narrow ? "42%" : "50%"],
        data: series.data.filter(function (item) { return item.value !== null && item.value !== undefined; }),
        label: narrow ? { show: false } : { fontSize: size, formatter: "{b}\n{c}" + unit },
        labelLine: { show: !narrow }
      }]
    };
  }

  function option(spec, box) {
    var size = fontSize(box.clientWidth);
    return spec.type === "pie" ? pie(spec, box, size) : cartesian(spec, box, size);
  }

  var drawn = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) return;
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (error) { return; }
    box.hidden = false;
    var chart = echarts.init(box, null, { renderer: "svg", locale: "ZH" });
    chart.setOption(option(spec, box));
    chart.resize();
    box.setAttribute("data-drawn", "true");
    drawn.push({ chart: chart, spec: spec, box: box, width: box.clientWidth });
  });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      drawn.forEach(function (item) {
        if (item.box.clientWidth !== item.width) {
          item.width = item.box.clientWidth;
          item.chart.setOption(option(item.spec, item.box), true);
        }
        item.chart.resize();
      });
    }, 150);
  });
})();
