// The findings table of docket's HTML report: paging, sorting, a text
// search, filters, and a detail view. State lives in the URL's hash
// (#rule=…&status=…&severity=…&q=…&field=…&value=…&sort=…&page=…&finding=…),
// so a filtered view can be shared and opened as it was.
(function () {
  "use strict";
  var rows = JSON.parse(document.getElementById("docket-findings").textContent);
  var meta = JSON.parse(document.getElementById("docket-meta").textContent);
  var PAGE = 100;
  var state = { rule: "", status: "", severity: "", q: "", field: "", value: "", sort: "case", page: 1, finding: "" };
  var shown = [];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function rule(r) { return meta.rules[r[0]] || { id: "?", title: "", severity: "" }; }
  function readHash() {
    var h = location.hash.replace(/^#/, "");
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { var k = kv.slice(0, i); if (k in state) { state[k] = decodeURIComponent(kv.slice(i + 1)); } }
    });
    state.page = Math.max(1, parseInt(state.page, 10) || 1);
  }
  function writeHash() {
    var parts = [];
    for (var k in state) { if (state[k] !== "" && !(k === "page" && state[k] === 1) && !(k === "sort" && state[k] === "case")) { parts.push(k + "=" + encodeURIComponent(state[k])); } }
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname);
  }
  function matches(r) {
    var ru = rule(r);
    if (state.rule && ru.id !== state.rule) { return false; }
    if (state.status && r[1] !== state.status) { return false; }
    if (state.severity && ru.severity !== state.severity) { return false; }
    if (state.field !== "" && state.value !== "") {
      var fi = meta.fields.indexOf(state.field);
      if (fi < 0 || (r[6][fi] || "") !== state.value) { return false; }
    }
    if (state.q) {
      var q = state.q.toLowerCase();
      var hay = (r[2] + " " + r[3] + " " + ru.id + " " + (r[6] || []).join(" ")).toLowerCase();
      if (hay.indexOf(q) < 0) { return false; }
    }
    return true;
  }
  function order(list) {
    var key = {
      "case": function (x) { return rows[x][2] + "\u0000" + rule(rows[x]).id; },
      "rule": function (x) { return String(rows[x][0]).padStart(4, "0") + "\u0000" + rows[x][2]; },
      "deadline": function (x) { return (rows[x][4] || "~") + "\u0000" + rows[x][2]; },
      "status": function (x) { return rows[x][1] + "\u0000" + rows[x][2]; }
    }[state.sort] || function (x) { return x; };
    return list.sort(function (a, b) { var ka = key(a), kb = key(b); return ka < kb ? -1 : ka > kb ? 1 : a - b; });
  }
  function select(label, name, options) {
    var l = el("label", {}, label);
    var s = el("select", { name: name, "aria-label": label });
    options.forEach(function (o) { var op = el("option", { value: o[0] }, o[1]); if (state[name] === o[0]) { op.selected = true; } s.appendChild(op); });
    s.addEventListener("change", function () { state[name] = s.value; state.page = 1; state.finding = ""; render(); });
    l.appendChild(s);
    return l;
  }
  function controls() {
    var c = document.getElementById("controls");
    c.textContent = "";
    var ruleOpts = [["", "every rule"]].concat(meta.rules.map(function (r) { return [r.id, r.id]; }));
    c.appendChild(select("Rule", "rule", ruleOpts));
    c.appendChild(select("Status", "status", [["", "every status"], ["violated", "violated"], ["due", "due"], ["waived", "waived"]]));
    c.appendChild(select("Severity", "severity", [["", "every severity"], ["error", "error"], ["warning", "warning"]]));
    if (meta.fields.length) {
      c.appendChild(select("Field", "field", [["", "no field"]].concat(meta.fields.map(function (f) { return [f, f]; }))));
      var lv = el("label", {}, "Value");
      var v = el("input", { type: "text", name: "value", value: state.value, "aria-label": "Field value" });
      v.addEventListener("change", function () { state.value = v.value; state.page = 1; render(); });
      lv.appendChild(v);
      c.appendChild(lv);
    }
    var l = el("label", {}, "Search");
    var q = el("input", { type: "search", name: "q", value: state.q, "aria-label": "Search the findings" });
    q.addEventListener("input", function () { state.q = q.value; state.page = 1; render(false); });
    l.appendChild(q);
    c.appendChild(l);
    c.appendChild(select("Sort by", "sort", [["case", "case"], ["rule", "rule"], ["deadline", "deadline"], ["status", "status"]]));
  }
  function table() {
    var box = document.getElementById("table");
    box.textContent = "";
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    state.page = Math.min(state.page, pages);
    var info = el("p", { id: "shown", "aria-live": "polite" }, shown.length + " of " + rows.length + " findings");
    box.appendChild(info);
    var t = el("table", { "class": "findings" });
    var head = el("tr");
    ["case", "rule", "status", "message", "deadline"].concat(meta.fields).forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    var tb = el("tbody");
    shown.slice((state.page - 1) * PAGE, state.page * PAGE).forEach(function (i) {
      var r = rows[i];
      var tr = el("tr", { tabindex: "0", "data-finding": i, "data-rule": rule(r).id, "data-status": r[1] });
      tr.appendChild(el("td", {}, r[2]));
      tr.appendChild(el("td", {}, rule(r).id));
      tr.appendChild(el("td", { "class": "status " + r[1] }, r[1] + (r[5] ? " · mark " + r[5] : "")));
      tr.appendChild(el("td", {}, r[3]));
      tr.appendChild(el("td", {}, r[4] || ""));
      meta.fields.forEach(function (_, fi) { tr.appendChild(el("td", {}, (r[6] || [])[fi] || "")); });
      var open = function () { state.finding = String(i); render(false); document.getElementById("detail").focus(); };
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", function (e) { if (e.key === "Enter") { open(); } });
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    box.appendChild(t);
    var pager = el("div", { "class": "pager" });
    var prev = el("button", { type: "button" }, "Previous");
    var next = el("button", { type: "button" }, "Next");
    prev.disabled = state.page <= 1; next.disabled = state.page >= pages;
    prev.addEventListener("click", function () { state.page -= 1; render(false); });
    next.addEventListener("click", function () { state.page += 1; render(false); });
    pager.appendChild(prev);
    pager.appendChild(el("span", {}, "page " + state.page + " of " + pages));
    pager.appendChild(next);
    box.appendChild(pager);
  }
  function detail() {
    var d = document.getElementById("detail");
    d.textContent = "";
    d.setAttribute("tabindex", "-1");
    if (state.finding === "" || !rows[+state.finding]) { return; }
    var r = rows[+state.finding], ru = rule(r);
    d.appendChild(el("h3", {}, r[2] + " · " + ru.id + " · " + r[1]));
    d.appendChild(el("p", { "class": "message" }, r[3]));
    var dl = el("dl");
    function item(k, v) { if (v) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); } }
    item("Rule", ru.title);
    item("Severity", ru.severity);
    item("Source", ru.source);
    item("Deadline", r[4]);
    item("Mark", r[5]);
    item("Waiver", r[8]);
    meta.fields.forEach(function (f, fi) { item(f, (r[6] || [])[fi]); });
    d.appendChild(dl);
    d.appendChild(el("h4", {}, "In the policy (" + ru.place + ")"));
    d.appendChild(el("pre", { "class": "policy" }, ru.text));
    d.appendChild(el("h4", {}, "Data rows"));
    var ul = el("ul", { "class": "rows" });
    (r[7] || []).forEach(function (fr) {
      var li = el("li");
      li.appendChild(el("code", {}, (meta.files[fr[0]] || "?") + ":" + fr[1]));
      var text = meta.lines[fr[0] + ":" + fr[1]];
      if (text) { li.appendChild(el("pre", {}, text)); }
      ul.appendChild(li);
    });
    d.appendChild(ul);
    var close = el("button", { type: "button" }, "Close");
    close.addEventListener("click", function () { state.finding = ""; render(false); });
    d.appendChild(close);
  }
  function render(withControls) {
    if (withControls !== false) { controls(); }
    shown = order(rows.map(function (_, i) { return i; }).filter(function (i) { return matches(rows[i]); }));
    table();
    detail();
    writeHash();
  }
  readHash();
  render();
  window.addEventListener("hashchange", function () { readHash(); render(); });
})();
