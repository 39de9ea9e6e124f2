// Readable timelines, shared by the web app's scenario page and the standalone
// report: one time axis for every chart, the stays chart keeping only the rows
// of people aboard in the visible range (and those the filter lets through),
// today's line, and "who is aboard on this date" looked up in the timeline's
// spans (mixedcrew/report/aboard.py writes them; snapshotAt mirrors snapshot_at).
"use strict";
(function () {
  const DAY_MS = 86400e3;
  const MARK = {today: "#009E73", date: "#0072B2"};  // Okabe-Ito green and blue
  const NOBODY = "(no one in this range matches the filter)";

  // Plotly writes dates without a zone ("2023-01-01 12:00"); ours are all UTC.
  function parse(x) {
    if (typeof x === "number") return x;
    const text = String(x).replace(" ", "T");
    return Date.parse(/Z$|[+-]\d\d:\d\d$/.test(text) ? text : text + "Z");
  }

  function iso(ms) {
    return new Date(ms).toISOString().replace(".000Z", "Z");
  }

  function snapshotAt(data, at) {
    const out = {at: iso(at), station: data.station, people: [], agencies: {}, operators: {},
                 docked: [], lifeboat_seats: 0};
    data.segments.forEach((seg) => { out.operators[seg] = 0; });
    let lo = 0, hi = data.spans.length;  // the last span starting at or before `at`
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (parse(data.spans[mid][0]) <= at) lo = mid + 1; else hi = mid;
    }
    const span = data.spans[lo - 1];
    if (!span || at >= parse(span[1])) return out;
    const [, , stays, docked, seats, operators] = span;
    const people = stays.map((k) => data.stays[k]).sort((a, b) =>
      a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    out.people = people.map(([name, agency, up, down]) => ({name, agency, up, down}));
    people.forEach((row) => { out.agencies[row[1]] = (out.agencies[row[1]] || 0) + 1; });
    data.segments.forEach((seg, i) => { out.operators[seg] = operators[i]; });
    out.docked = docked.map(([f, port]) => ({
      flight: data.flights[f][0], vehicle: data.flights[f][1], capsule: data.flights[f][2],
      port: port ? (data.ports[port] || port) : null}));
    out.lifeboat_seats = seats;
    return out;
  }

  function element(tag, text, attrs) {
    const el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = text;
    Object.entries(attrs || {}).forEach(([k, v]) => el.setAttribute(k, v));
    return el;
  }

  function table(caption, head, rows) {
    const t = element("table", null, {class: "list"});
    t.appendChild(element("caption", caption));
    const tr = t.appendChild(element("thead")).appendChild(element("tr"));
    head.forEach((h) => tr.appendChild(element("th", h, {scope: "col"})));
    const body = t.appendChild(element("tbody"));
    rows.forEach((r) => {
      const row = body.appendChild(element("tr"));
      r.forEach((c) => row.appendChild(element("td", c)));
    });
    return t;
  }

  // The same words as the server's _aboard.html, so a page reads alike with or without scripts.
  function renderSnapshot(panel, snap) {
    panel.replaceChildren();
    const n = snap.people.length;
    panel.appendChild(element("h3", "Aboard " + snap.station + " at " + snap.at.replace("T", " ").replace("Z", " UTC") +
      ": " + n + (n === 1 ? " person" : " people"), {class: "aboard-title"}));
    const agencies = Object.entries(snap.agencies).map(([a, k]) => a + " " + k).join(", ");
    const operators = Object.entries(snap.operators).map(([s, k]) => s + " " + k).join(", ");
    panel.appendChild(element("p", "Agencies: " + (agencies || "none") + ". Operators per segment: " +
      operators + ". Lifeboat seats: " + snap.lifeboat_seats + ".", {class: "aboard-facts"}));
    if (n) {
      panel.appendChild(table("People aboard", ["Name", "Agency", "Up", "Down"],
        snap.people.map((p) => [p.name, p.agency, p.up, p.down || "(still aboard)"])));
    }
    if (snap.docked.length) {
      panel.appendChild(table("Vehicles docked", ["Flight", "Vehicle", "Capsule", "Port"],
        snap.docked.map((d) => [d.flight, d.vehicle, d.capsule || "", d.port || "(relocating)"])));
    }
  }

  // Rows of the stays chart: each label's agencies and full names, for the filter.
  function rowIndex(el) {
    const rows = new Map();
    for (const trace of el.data) {
      (trace.y || []).forEach((row, i) => {
        if (!rows.has(row)) rows.set(row, {agencies: new Set(), names: new Set(), bars: []});
        const info = rows.get(row);
        info.agencies.add(trace.name);
        if (trace.customdata) info.names.add(String(trace.customdata[i][0]).toLowerCase());
        const from = parse(trace.base[i]);
        info.bars.push([from, from + trace.x[i]]);
      });
    }
    return rows;
  }

  function attach(opts) {
    const charts = opts.charts.filter((el) => el && el.data);
    const stays = opts.stays && opts.stays.data ? opts.stays : null;
    const index = stays ? rowIndex(stays) : new Map();
    const whole = stays ? {rows: stays.layout.yaxis.categoryarray.slice(), height: stays.layout.height} : null;
    const base = new Map(charts.map((el) => [el, (el.layout.shapes || []).slice()]));
    const marks = {};  // name -> shape on every chart: today, the picked date, a highlighted span
    const filter = {agency: "", name: ""};
    let range = null;  // [start, end] in ms, or null for the whole time range
    let busy = false;
    const ctl = {rows: whole ? whole.rows.length : 0};

    function extent() {
      let lo = Infinity, hi = -Infinity;
      index.forEach((info) => info.bars.forEach(([a, b]) => { lo = Math.min(lo, a); hi = Math.max(hi, b); }));
      return [lo, hi];
    }

    function visibleRows() {
      return whole.rows.filter((row) => {
        const info = index.get(row);
        if (!info) return false;
        if (filter.agency && !info.agencies.has(filter.agency)) return false;
        if (filter.name && !row.toLowerCase().includes(filter.name) &&
            !Array.from(info.names).some((n) => n.includes(filter.name))) return false;
        return !range || info.bars.some(([a, b]) => a < range[1] && b > range[0]);
      });
    }

    function shapes(el) {
      return base.get(el).concat(Object.values(marks));
    }

    function rowsUpdate() {
      if (!whole) return {};
      const rows = visibleRows();
      ctl.rows = rows.length;
      const all = rows.length === whole.rows.length;
      // an empty row says so, rather than an axis of every row or none
      return {"yaxis.categoryarray": rows.length ? rows : [NOBODY],
              "yaxis.range": [-0.5, Math.max(rows.length, 1) - 0.5],
              height: all ? whole.height : Math.max(320, 24 * rows.length + 180)};
    }

    // Every chart to `range` (null: the whole), with the marks; the stays chart's rows follow.
    function apply(except) {
      busy = true;
      const jobs = charts.map((el) => {
        const update = {shapes: shapes(el)};
        if (el !== except) {
          if (range) update["xaxis.range"] = [iso(range[0]), iso(range[1])];
          else update["xaxis.autorange"] = true;
        }
        if (el === stays) Object.assign(update, rowsUpdate());
        return Plotly.relayout(el, update);
      });
      return Promise.all(jobs).finally(() => { busy = false; });
    }

    function rangeOf(ev) {
      if (ev["xaxis.autorange"]) return null;
      const r = ev["xaxis.range"] || (ev["xaxis.range[0]"] !== undefined &&
                                      [ev["xaxis.range[0]"], ev["xaxis.range[1]"]]);
      return r ? [parse(r[0]), parse(r[1])] : undefined;
    }

    charts.forEach((el) => el.on("plotly_relayout", (ev) => {
      if (busy) return;
      const r = rangeOf(ev);
      if (r === undefined) return;  // not a zoom: a hover mode, a legend click
      range = r;
      if (opts.onZoom) opts.onZoom(range);
      apply(el);
    }));

    const [first, last] = extent();
    const now = Date.now();
    if (now > first && now < last) {  // inside the data only: a line outside would stretch every axis
      marks.today = {type: "line", xref: "x", yref: "paper", x0: iso(now), x1: iso(now), y0: 0, y1: 1,
                     name: "today", line: {color: MARK.today, width: 2, dash: "dot"}};
    }

    ctl.zoom = (start, end, highlight) => {
      range = [start, end];
      if (highlight) marks.span = highlight; else delete marks.span;
      return apply(null);
    };
    ctl.reset = () => {
      range = null;
      delete marks.span;
      return apply(null);
    };
    ctl.setFilter = (agency, name) => {
      filter.agency = agency || "";
      filter.name = (name || "").trim().toLowerCase();
      return apply(null);
    };
    ctl.markDate = (at) => {
      marks.date = {type: "line", xref: "x", yref: "paper", x0: iso(at), x1: iso(at), y0: 0, y1: 1,
                    name: "picked date", line: {color: MARK.date, width: 2}};
      return apply(null);
    };
    ctl.range = () => range;
    ctl.visibleRows = () => (whole ? visibleRows() : []);

    const form = opts.filterForm;
    if (form) {
      const run = () => ctl.setFilter(form.elements.agency.value, form.elements.name.value);
      form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
      form.elements.agency.addEventListener("change", run);
      form.elements.name.addEventListener("input", run);
      form.hidden = false;
    }
    const picker = opts.dateForm;
    if (picker && opts.data) {
      const show = (value) => {
        const at = parse(/T/.test(value) ? value : value + "T00:00:00Z");
        if (Number.isNaN(at)) return;
        renderSnapshot(opts.panel, snapshotAt(opts.data, at));
        ctl.markDate(at);
        if (opts.onDate) opts.onDate(value);
      };
      picker.addEventListener("submit", (e) => { e.preventDefault(); show(picker.elements.at.value); });
      if (picker.elements.at.value) show(picker.elements.at.value);
    }
    return ctl;
  }

  window.MixedcrewTimeline = {attach, snapshotAt, renderSnapshot, parse, iso, DAY_MS};
})();
