/* tiktok-connector admin: copy buttons, currencies per country, confirmations. Pages work without it. */
(function () {
  "use strict";

  function copyWithSelection(element) {
    // Fallback for browsers (or plain-http pages) without the asynchronous clipboard API.
    var area = document.createElement("textarea");
    area.value = element.textContent;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    document.body.removeChild(area);
    return copied;
  }

  function announce(button, text) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = text;
    button.classList.toggle("copied", text === "Copied");
    window.setTimeout(function () {
      button.textContent = original;
      button.classList.remove("copied");
    }, 2000);
  }

  function setUpCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) return;
      button.hidden = false;
      button.setAttribute("aria-live", "polite");
      button.addEventListener("click", function () {
        var text = target.textContent;
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () {
            announce(button, "Copied");
          }, function () {
            announce(button, copyWithSelection(target) ? "Copied" : "Press Ctrl+C");
          });
        } else {
          announce(button, copyWithSelection(target) ? "Copied" : "Press Ctrl+C");
        }
      });
    });
  }

  function setUpCurrencies() {
    var data = document.getElementById("ttc-markets");
    var country = document.querySelector("select[data-country-select]");
    var currency = document.querySelector("select[data-currency-select]");
    var note = document.getElementById("currency-allowed");
    if (!data || !country || !currency) return;
    var markets = {};
    JSON.parse(data.textContent).forEach(function (market) { markets[market.code] = market; });

    function refresh() {
      var market = markets[country.value];
      if (!market) {
        if (note) note.textContent = "";
        return;
      }
      var chosen = currency.value;
      while (currency.options.length) currency.remove(0);
      market.currencies.forEach(function (code) {
        currency.add(new Option(code, code, false, code === chosen));
      });
      if (market.currencies.indexOf(chosen) < 0) currency.selectedIndex = 0;
      if (note) {
        note.textContent = "TikTok accepts " + market.currencies.join(" or ") + " for stores in " + market.name + ".";
      }
    }
    country.addEventListener("change", refresh);
    refresh();
  }

  function setUpConfirmations() {
    var forms = document.querySelectorAll("form[data-confirm]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  function focusNewKey() {
    var panel = document.getElementById("new-key");
    if (panel) panel.focus();
  }

  function formatBytes(count) {
    var units = ["bytes", "kB", "MB", "GB"], value = count, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value = value / 1000; unit += 1; }
    return (unit ? value.toFixed(1) : String(value)) + " " + units[unit];
  }

  function setUpImportProgress() {
    // A running feed import: poll its state, move the bar, and show the summary once it is done.
    var section = document.querySelector("[data-import-poll]");
    if (!section) return;
    var url = section.getAttribute("data-import-poll");
    function text(id, value) {
      var element = document.getElementById(id);
      if (element) element.textContent = value;
    }
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (state) {
        if (!state) { window.setTimeout(poll, 2000); return; }
        if (state.finished) { window.location.reload(); return; }
        var bar = document.getElementById("import-bar");
        if (bar && state.total_bytes) { bar.max = state.total_bytes; bar.value = state.bytes; }
        text("import-state", state.state === "reading" ? "Reading the feed…" : "Waiting to start…");
        text("import-bytes", formatBytes(state.bytes));
        if (state.total_bytes) text("import-total", formatBytes(state.total_bytes));
        text("import-items", String(state.items));
        window.setTimeout(poll, 500);
      }, function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 300);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopyButtons();
    setUpCurrencies();
    setUpConfirmations();
    focusNewKey();
    setUpImportProgress();
  });
})();
