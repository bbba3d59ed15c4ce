/* The Ads page: the From/To dates show only for a custom period. The page works without it. */
(function () {
  "use strict";

  function setUpPeriodPicker() {
    var select = document.querySelector("select[data-period-select]");
    if (!select) return;
    var fields = document.querySelectorAll("[data-custom-range]");

    function refresh() {
      var custom = select.value === "custom";
      Array.prototype.forEach.call(fields, function (field) {
        field.hidden = !custom;
        var input = field.querySelector("input");
        if (input) input.disabled = !custom;  // a preset period sends no dates
      });
    }
    select.addEventListener("change", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", setUpPeriodPicker);
})();
