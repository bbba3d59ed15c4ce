/* The Catalog source card: show the fields of the chosen kind, and test the connection in place. */
(function () {
  "use strict";
  var form = document.getElementById("source-form");
  if (!form) { return; }
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function showKind() {
    var chosen = form.querySelector("input[name=kind]:checked");
    var kind = chosen ? chosen.value : "";
    each(form.querySelectorAll("[data-kind]"), function (set) {
      var on = set.getAttribute("data-kind") === kind;
      set.hidden = !on;
      each(set.querySelectorAll("input"), function (input) { input.disabled = !on; });
    });
  }
  form.addEventListener("change", showKind);
  showKind();

  var button = document.getElementById("source-test");
  var out = document.getElementById("source-test-result");
  if (!button || !out || !window.fetch) { return; }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    out.className = "notice notice-info";
    out.textContent = "Testing the connection…";
    window.fetch(button.formAction, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                     headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var fields = data.fields ? Object.keys(data.fields).map(function (k) { return k + ": " + data.fields[k]; }) : [];
        out.className = "notice " + (data.ok ? "notice-success" : "notice-error");
        out.textContent = data.ok ? "Connected: " + data.sentence
          : "Test connection failed: " + data.message + (fields.length ? " (" + fields.join("; ") + ")" : "");
      })
      .catch(function () {
        out.className = "notice notice-error";
        out.textContent = "Test connection failed: no answer from the server.";
      });
  });
}());
