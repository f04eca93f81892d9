"""HTML of ``GET /_emulator/ui``: server-side rendering of a dashboard view, plus the page shell
(CSS and a small script that re-renders the tables from the live ``/_emulator/ui/stream``).

Everything taken from state is escaped (``html.escape``) on the server and set with
``textContent`` in the browser; the page's configuration travels as JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, so no value can
close the block. No external assets: the emulator runs offline.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

# (key, heading) per table; shared with the script so both renderers agree.
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "tests": [("id", "Execution"), ("test_name", "Test"), ("status", "Status"),
              ("steps", "Steps"), ("progress", "Progress %"), ("platform", "Platform"),
              ("workflow_execution_id", "Workflow execution"), ("updated_at", "Updated")],
    "workflows": [("id", "Execution"), ("workflow_name", "Workflow"), ("status", "Status"),
                  ("tests", "Tests done"), ("passed", "Passed"), ("failed", "Failed"),
                  ("updated_at", "Updated")],
    "runs": [("id", "Run"), ("workflow_name", "Workflow"), ("status", "Status"),
             ("turns", "Turns"), ("turn_number", "Turn #"),
             ("last_assistant", "Last assistant message"), ("updated_at", "Updated")],
    "journal": [("at", "At"), ("method", "Method"), ("path", "Path"), ("status", "Status"),
                ("duration_ms", "ms")],
}
TITLES = {"tests": "Revyl test executions", "workflows": "Revyl workflow executions",
          "runs": "Interactly runs", "journal": "Request journal (latest first)"}
ADVANCE_STEPS = (1, 10, 60)
_CLASS_SAFE = re.compile(r"[^a-z0-9_-]")


def status_class(value: Any) -> str:
    return "status status-" + _CLASS_SAFE.sub("-", str(value).lower())[:40]


def script_json(data: Any) -> str:
    """JSON safe to place inside a ``<script>`` element."""
    text = json.dumps(data, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _cell(key: str, value: Any) -> str:
    text = "" if value is None else str(value)
    cls = f' class="{status_class(value)}"' if key == "status" else ""
    if key in ("id", "workflow_execution_id"):
        cls = ' class="id"'
    return f"<td{cls}>{escape(text)}</td>"


def _table(kind: str, rows: list[dict[str, Any]], total: int | None) -> str:
    columns = COLUMNS[kind]
    count = len(rows) if total is None else total
    head = "".join(f"<th>{escape(title)}</th>" for _, title in columns)
    if rows:
        body = "".join("<tr>" + "".join(_cell(k, row.get(k)) for k, _ in columns) + "</tr>"
                       for row in rows)
    else:
        body = f'<tr><td class="empty" colspan="{len(columns)}">none yet</td></tr>'
    return (f'<h3>{escape(TITLES[kind])} <span class="count">({count})</span></h3>'
            f'<table data-kind="{kind}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def render_namespace(view: dict[str, Any], controls: bool) -> str:
    clock = view["clock"]
    parts = [f'<section class="ns" data-ns="{escape(view["namespace"])}">',
             f'<h2>Namespace <code>{escape(view["namespace"])}</code> '
             f'<span class="clock">clock {escape(str(clock["now"]))} '
             f'({escape(str(clock["mode"]))}, x{escape(str(clock["scale"]))}, '
             f'{escape(str(clock["pending_timers"]))} timers)</span></h2>']
    if controls:
        buttons = "".join(f'<button type="button" data-advance="{s}">+{s} s</button>'
                          for s in ADVANCE_STEPS)
        parts.append(f'<div class="controls">{buttons}'
                     '<button type="button" data-reset="1" class="danger">Reset namespace'
                     '</button><span class="result" role="status"></span></div>')
    revyl, interactly = view.get("revyl"), view.get("interactly")
    if revyl is not None:
        parts.append(_table("tests", revyl["tests"], revyl["tests_total"]))
        parts.append(_table("workflows", revyl["workflows"], revyl["workflows_total"]))
    if interactly is not None:
        parts.append(_table("runs", interactly["runs"], interactly["runs_total"]))
    if view.get("journal") is not None:
        parts.append(_table("journal", view["journal"], None))
    parts.append("</section>")
    return "".join(parts)


def render_body(payload: dict[str, Any]) -> str:
    views = payload["namespaces"]
    if not views:
        return ('<p class="empty">No namespace yet: namespaces appear on their first request '
                "(any bearer token names one).</p>")
    return "".join(render_namespace(v, payload["scoped"]) for v in views)


def render_page(payload: dict[str, Any], config: dict[str, Any], nonce: str) -> str:
    scope = ("one namespace (from ?token=)" if payload["scoped"] else
             "every namespace, read-only: open with ?token=&lt;your token&gt; for the controls")
    shown, total = len(payload["namespaces"]), payload.get("namespaces_total", 0)
    if not payload["scoped"] and total > shown:
        scope += f" (the {shown} most recently used of {total})"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Emulator dashboard</title>
<style nonce="{nonce}">{CSS}</style></head>
<body><header><h1>Emulator dashboard</h1>
<p class="scope">Showing {scope}. <span id="live" data-updates="0">live: connecting</span></p>
</header>
<main id="dashboard">{render_body(payload)}</main>
<script type="application/json" id="dashboard-config">{script_json(config)}</script>
<script nonce="{nonce}">{SCRIPT}</script>
</body></html>"""


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em 2em;color:#1d2330;background:#f7f8fa}
h1{font-size:1.4em;margin:.6em 0 .2em}h2{font-size:1.15em;margin:.4em 0}
h3{font-size:1em;margin:1em 0 .3em}.count,.clock,.scope{color:#5b6472;font-weight:normal}
.ns{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e6e9ee;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.id,code{font-family:ui-monospace,monospace;font-size:12px}
td.empty{color:#8a93a0;font-style:italic}
.status{font-weight:600}.status-completed,.status-passed{color:#137333}
.status-failed,.status-timeout,.status-error{color:#b3261e}
.status-running,.status-waiting_for_user_input{color:#1a56c4}
.status-cancelled,.status-stopped{color:#7a5b00}
.controls button{margin-right:.4em;padding:3px 10px;cursor:pointer}
.controls .danger{color:#b3261e}.controls .result{color:#5b6472;margin-left:.5em}
#live{font-weight:600}#live.ok{color:#137333}#live.down{color:#b3261e}
"""

# Re-renders <main> from each "snapshot" event with DOM calls only (textContent, never
# innerHTML). Buttons call the control plane with the page's token.
SCRIPT = """
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("dashboard-config").textContent);
  var main = document.getElementById("dashboard");
  var live = document.getElementById("live");
  var updates = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function statusClass(value) {
    return "status status-" + String(value).toLowerCase().replace(/[^a-z0-9_-]/g, "-")
      .slice(0, 40);
  }
  function table(kind, rows, total) {
    var frag = document.createDocumentFragment();
    var columns = config.columns[kind];
    var h3 = el("h3", null, config.titles[kind] + " ");
    h3.appendChild(el("span", "count", "(" + (total === null ? rows.length : total) + ")"));
    frag.appendChild(h3);
    var t = el("table"); t.setAttribute("data-kind", kind);
    var head = el("tr");
    columns.forEach(function (c) { head.appendChild(el("th", null, c[1])); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    if (!rows.length) {
      var td = el("td", "empty", "none yet"); td.colSpan = columns.length;
      body.appendChild(el("tr")).appendChild(td);
    }
    rows.forEach(function (row) {
      var tr = body.appendChild(el("tr"));
      columns.forEach(function (c) {
        var v = row[c[0]];
        var cls = c[0] === "status" ? statusClass(v) :
          (c[0] === "id" || c[0] === "workflow_execution_id") ? "id" : null;
        tr.appendChild(el("td", cls, v === null || v === undefined ? "" : v));
      });
    });
    frag.appendChild(t);
    return frag;
  }
  function controls() {
    var box = el("div", "controls");
    config.advance.forEach(function (s) {
      var b = box.appendChild(el("button", null, "+" + s + " s"));
      b.type = "button"; b.setAttribute("data-advance", String(s));
    });
    var r = box.appendChild(el("button", "danger", "Reset namespace"));
    r.type = "button"; r.setAttribute("data-reset", "1");
    box.appendChild(el("span", "result")).setAttribute("role", "status");
    return box;
  }
  function section(view) {
    var s = el("section", "ns"); s.setAttribute("data-ns", view.namespace);
    var h2 = s.appendChild(el("h2", null, "Namespace "));
    h2.appendChild(el("code", null, view.namespace));
    var c = view.clock;
    h2.appendChild(document.createTextNode(" "));
    h2.appendChild(el("span", "clock", "clock " + c.now + " (" + c.mode + ", x" + c.scale +
      ", " + c.pending_timers + " timers)"));
    if (config.scoped) { s.appendChild(controls()); }
    if (view.revyl) {
      s.appendChild(table("tests", view.revyl.tests, view.revyl.tests_total));
      s.appendChild(table("workflows", view.revyl.workflows, view.revyl.workflows_total));
    }
    if (view.interactly) {
      s.appendChild(table("runs", view.interactly.runs, view.interactly.runs_total));
    }
    if (view.journal) { s.appendChild(table("journal", view.journal, null)); }
    return s;
  }
  function render(payload) {
    var frag = document.createDocumentFragment();
    if (!payload.namespaces.length) {
      frag.appendChild(el("p", "empty", "No namespace yet: namespaces appear on their " +
        "first request (any bearer token names one)."));
    }
    payload.namespaces.forEach(function (v) { frag.appendChild(section(v)); });
    while (main.firstChild) { main.removeChild(main.firstChild); }
    main.appendChild(frag);
    updates += 1;
    live.setAttribute("data-updates", String(updates));
    main.setAttribute("data-live-updates", String(updates));
    live.className = "ok";
    live.textContent = "live: " + updates + " update" + (updates === 1 ? "" : "s") +
      ", last at " + new Date().toLocaleTimeString();
  }
  function post(path, body, note) {
    note.textContent = "...";
    var headers = {"Content-Type": "application/json"};
    if (config.token) { headers["Authorization"] = "Bearer " + config.token; }
    fetch(path, {method: "POST", headers: headers, body: JSON.stringify(body || {}),
                 credentials: "omit", cache: "no-store"})
      .then(function (r) { note.textContent = r.ok ? "done" : "HTTP " + r.status; })
      .catch(function (e) { note.textContent = "failed: " + e; });
  }
  main.addEventListener("click", function (event) {
    var b = event.target.closest ? event.target.closest("button") : null;
    if (!b || !config.scoped) { return; }
    var note = b.parentNode.querySelector(".result");
    if (b.hasAttribute("data-advance")) {
      post(config.advance_url, {seconds: Number(b.getAttribute("data-advance"))}, note);
    } else if (b.hasAttribute("data-reset") && window.confirm("Reset this namespace?")) {
      post(config.reset_url, {}, note);
    }
  });
  if (!window.EventSource) { live.textContent = "live: not supported"; return; }
  var source = new EventSource(config.stream_url);
  source.addEventListener("snapshot", function (event) {
    try { render(JSON.parse(event.data)); } catch (e) { live.textContent = "live: " + e; }
    if (config.max_updates && updates >= config.max_updates) {
      source.close();  // ?updates=N: a static capture (headless screenshots, saved pages)
      live.textContent += " (stopped after " + updates + ")";
    }
  });
  source.onerror = function () {
    live.className = "down"; live.textContent = "live: reconnecting";
  };
})();
"""
