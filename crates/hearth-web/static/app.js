// Hearth's own small conveniences. Every page works without them: forms post, links link, the
// menu is a <details>. Loaded from /static (the CSP allows no inline script).
(function () {
  "use strict";

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  // On a phone the menu and the division tree start folded (they are open without script).
  if (window.matchMedia && window.matchMedia("(max-width: 768px)").matches) {
    each("details[data-collapse-narrow]", function (d) { d.open = false; });
  }

  // A header checkbox ticks every row of its table.
  each("input[data-select-all]", function (all) {
    var name = all.getAttribute("data-select-all");
    var table = all.closest("table");
    if (!table) { return; }
    function rows() {
      return Array.prototype.filter.call(table.querySelectorAll("tbody input[type=checkbox]"), function (b) {
        return b.name === name;
      });
    }
    if (rows().length === 0) { return; }
    all.hidden = false;
    all.addEventListener("change", function () {
      rows().forEach(function (b) { b.checked = all.checked; });
    });
    table.addEventListener("change", function (event) {
      if (event.target === all || event.target.name !== name) { return; }
      var list = rows();
      var ticked = list.filter(function (b) { return b.checked; }).length;
      all.checked = ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    });
  });

  // Ask before a form that cannot be undone lightly (停用, 吊销).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // The page-size dropdown applies at once; its button is for browsers without script.
  each("select[data-autosubmit]", function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  each("[data-hide-with-js]", function (el) { el.hidden = true; });

  // Copy a new API token; select it on focus so it can be copied by hand too.
  each("input[data-select-on-focus]", function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  each("button[data-copy]", function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    });
  });

  // While an import runs (the form posts as usual), show how far it is from the server's count.
  each("form[data-import-progress]", function (form) {
    var box = document.getElementById("import-progress");
    var bar = document.getElementById("import-progress-bar");
    var text = document.getElementById("import-progress-text");
    if (!box || !bar || !text || !window.fetch) { return; }
    form.addEventListener("submit", function () {
      box.hidden = false;
      function poll() {
        fetch(form.getAttribute("data-import-progress"), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) {
            if (p && p.total > 0) {
              bar.max = p.total;
              bar.value = p.done;
              text.textContent = text.getAttribute("data-rows")
                .replace("{done}", p.done).replace("{total}", p.total);
            }
            if (!p || !p.finished) { window.setTimeout(poll, 700); }
          }, function () { window.setTimeout(poll, 1500); });
      }
      window.setTimeout(poll, 300);
    });
  });

  // A print button where printing makes sense (the browser's own print works as well).
  each("button[data-print]", function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
