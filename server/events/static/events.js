/* tiktok-connector Events page: keeps the event log fresh by polling its JSON. The page works without it. */
(function () {
  "use strict";
  var EVERY = 3000;
  var TONES = {received: "info", pending: "info", sent: "ok", failed: "bad", dropped: "off"};

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function badge(text, tone) {
    return el("span", text, "badge badge-" + tone);
  }

  function row(event) {
    var tr = el("tr"), cell, time, code;
    if (event.id != null) tr.setAttribute("data-id", event.id);
    tr.setAttribute("data-status", event.status);
    time = el("time", event.time.slice(0, 19).replace("T", " "));
    time.setAttribute("datetime", event.time);
    cell = el("td");
    cell.appendChild(time);
    tr.appendChild(cell);
    cell = el("td", event.event);
    if (event.test) { cell.appendChild(document.createTextNode(" ")); cell.appendChild(badge("test", "info")); }
    tr.appendChild(cell);
    cell = el("td");
    cell.appendChild(el("code", event.event_id));
    tr.appendChild(cell);
    tr.appendChild(el("td", event.seen));
    cell = el("td");
    cell.appendChild(badge(event.status, TONES[event.status] || "info"));
    tr.appendChild(cell);
    cell = el("td", event.code != null ? "code " + event.code : "");
    if (event.request_id) { cell.appendChild(el("br")); cell.appendChild(el("span", "request " + event.request_id, "muted small")); }
    if (event.message) { cell.appendChild(el("br")); cell.appendChild(document.createTextNode(event.message)); }
    tr.appendChild(cell);
    return tr;
  }

  function render(table, data) {
    var body = table.tBodies[0], counts = document.getElementById("event-counts"), i, empty;
    while (body.firstChild) body.removeChild(body.firstChild);
    for (i = 0; i < data.events.length; i++) body.appendChild(row(data.events[i]));
    if (!data.events.length) {
      empty = el("tr", null, "empty");
      empty.appendChild(el("td", "No events yet."));
      empty.firstChild.setAttribute("colspan", "6");
      body.appendChild(empty);
    }
    if (counts) {
      while (counts.firstChild) counts.removeChild(counts.firstChild);
      Object.keys(data.counts).forEach(function (state) {
        counts.appendChild(badge(state + ": " + data.counts[state], TONES[state] || "info"));
        counts.appendChild(document.createTextNode(" "));
      });
    }
    table.setAttribute("data-refreshed", String(Date.now()));
  }

  function poll(table) {
    if (document.hidden) return;
    var request = new XMLHttpRequest();
    request.open("GET", table.getAttribute("data-url"));
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        try { render(table, JSON.parse(request.responseText)); } catch (e) { /* keep the last good view */ }
      }
    };
    request.send();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("event-log");
    if (!table) return;
    window.setInterval(function () { poll(table); }, EVERY);
    document.addEventListener("visibilitychange", function () { poll(table); });
  });
})();
