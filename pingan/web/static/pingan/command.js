// The command centre's charts (ECharts, vendored): the overview and the big screen
// draw the same figures. The big screen fetches them again every minute.
(function () {
  "use strict";
  const source = document.getElementById("overview-data");
  if (!source || !window.echarts) return;
  const dark = document.body.classList.contains("screen");
  const text = dark ? "#dbe7ff" : "#333";
  const palette = ["#3ba0ff", "#36cbcb", "#4ecb73", "#fbd437", "#f2637b", "#975fe5", "#ff9f40", "#8c8c8c"];
  const charts = {};

  function chart(id, option) {
    const box = document.getElementById(id);
    if (!box) return;
    charts[id] = charts[id] || echarts.init(box, null, { renderer: "svg" });
    // Tooltips are drawn into the SVG as text (richText), not as HTML built from names.
    const tooltip = option.tooltip && { ...option.tooltip, renderMode: "richText" };
    charts[id].setOption({ color: palette, textStyle: { color: text, fontSize: dark ? 18 : 12 }, animation: false, ...option, tooltip }, true);
    box.dataset.points = String(option.series.reduce((n, s) => n + s.data.length, 0));
  }

  // On the wall (1920×1080, read from across the room) the axis labels are large, and
  // the names of a horizontal bar chart get the room their longest one needs.
  const labelSize = dark ? 20 : 12;
  const axis = { axisLabel: { color: text, fontSize: labelSize }, axisLine: { lineStyle: { color: dark ? "#4a5d80" : "#ccc" } } };
  const nameRoom = (names) => Math.min(dark ? 220 : 140, 16 + labelSize * Math.max(2, ...names.map((n) => String(n).length)));

  function bars(id, rows, horizontal) {
    const names = rows.map((r) => r.name);
    const values = rows.map((r) => r.value);
    chart(id, {
      grid: { left: horizontal ? nameRoom(names) : 50, right: 40, top: 20, bottom: horizontal ? 30 : 60 },
      xAxis: horizontal ? { type: "value", ...axis } : { type: "category", data: names, ...axis, axisLabel: { ...axis.axisLabel, interval: 0, rotate: names.length > (dark ? 3 : 5) ? 30 : 0 } },
      yAxis: horizontal ? { type: "category", data: names, inverse: true, ...axis } : { type: "value", ...axis },
      tooltip: {},
      series: [{ type: "bar", data: values, label: { show: true, position: horizontal ? "right" : "top", color: text } }],
    });
  }

  function pie(id, rows) {
    chart(id, {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, textStyle: { color: text } },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "42%"], data: rows, label: { color: text } }],
    });
  }

  const FIELDWORK = { events: "上报事件", visit: "入户走访", inspection: "场所排查", general: "综合工作", video: "视频巡查", patrol: "巡逻" };

  function draw(data) {
    chart("chart-trend", {
      grid: { left: dark ? 60 : 40, right: 20, top: 20, bottom: dark ? 40 : 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.trend.map((d) => d.day.slice(5)), ...axis },
      yAxis: { type: "value", ...axis },
      series: [{ type: "line", smooth: true, areaStyle: { opacity: 0.2 }, data: data.trend.map((d) => d.value) }],
    });
    bars("chart-township", data.by_area, true);
    bars("chart-category", data.by_category, false);
    pie("chart-channel", data.by_channel);
    pie("chart-state", data.by_state);
    bars("chart-fieldwork", Object.entries(data.fieldwork).map(([k, v]) => ({ name: FIELDWORK[k] || k, value: v })), false);
    bars("chart-registry", data.registry.slice(1, 11), true);
    for (const key of ["reported", "open", "overdue", "supervised", "closed"]) {
      const cell = document.querySelector(`[data-figure=${key}]`);
      if (cell) cell.textContent = data[key];
    }
    const people = document.querySelector("[data-figure=people]");
    if (people) people.textContent = data.registry[0].value;
  }

  draw(JSON.parse(source.textContent));
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));

  const refresh = Number(document.body.dataset.refresh || 0);
  if (refresh) {
    setInterval(async () => {
      try {
        const response = await fetch(`/api/command/overview?period=${document.body.dataset.period || "month"}`, { credentials: "same-origin" });
        if (response.ok) draw(await response.json());
        const stamp = document.getElementById("updated");
        if (stamp) stamp.textContent = new Date().toLocaleTimeString("zh-CN");
      } catch (error) { /* the wall keeps the last figures until the network is back */ }
    }, refresh * 1000);
    const clock = document.getElementById("clock");
    const tick = () => { if (clock) clock.textContent = new Date().toLocaleString("zh-CN"); };
    tick();
    setInterval(tick, 1000);
  }
})();
