// The broadcasts pages without reloading: the compose page's previews follow the texts and
// the link, the count follows the audience, Send now asks once; the list's figures follow a
// broadcast going out. The pages work without this script (Preview and count, Refresh).
(function () {
  "use strict";

  function debounce(action, wait) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(action, wait);
    };
  }

  var form = document.getElementById("compose");
  if (form) {
    var previews = document.getElementById("previews");
    var reach = document.getElementById("reach");
    var paidEstimate = document.getElementById("paid-estimate");  // administrators only
    var paid = form.querySelector('input[name="paid"]');
    var audienceFields = ["role", "province", "tag", "experts", "companies", "category"];

    var refreshPreview = debounce(function () {
      fetch("/broadcasts/preview", {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html !== null) { previews.innerHTML = html; }  // the server's escaped fragment
      }).catch(function () {});
    }, 400);

    var refreshCount = debounce(function () {
      var query = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (audienceFields.indexOf(name) >= 0) { query.append(name, value); }
      });
      fetch("/broadcasts/count?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          reach.textContent = data.text || data.error || "";
          if (paidEstimate && data.paid) { paidEstimate.textContent = data.paid; }
        })
        .catch(function () {});
    }, 200);

    form.addEventListener("input", function (event) {
      var name = event.target.name;
      if (name === "km" || name === "en" || name === "link") { refreshPreview(); }
    });
    form.addEventListener("change", function (event) {
      if (audienceFields.indexOf(event.target.name) >= 0) {
        refreshCount();
        refreshPreview();  // the readers of each language
      }
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var question = button && button.dataset.confirm;
      if (question && paid && paid.checked && paidEstimate) {
        question += "\n" + paidEstimate.textContent;  // the cost, again, before it is spent
      }
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  var list = document.getElementById("broadcast-list");
  if (list) {
    var rows = {};
    list.querySelectorAll("tr[data-id]").forEach(function (row) { rows[row.dataset.id] = row; });
    var waiting = function (wanted) {
      return Object.keys(rows).some(function (id) { return rows[id].dataset.status === wanted; });
    };
    // every 3 seconds while one goes out; every 30 while one waits for its time
    var next = function () {
      if (waiting("sending")) { setTimeout(poll, 3000); }
      else if (waiting("scheduled")) { setTimeout(poll, 30000); }
    };
    var poll = function () {
      fetch("/broadcasts/progress", { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var changed = false;
          data.broadcasts.forEach(function (item) {
            var row = rows[String(item.id)];
            if (!row) { changed = true; return; }
            if (row.dataset.status !== item.status) { changed = true; return; }
            ["total", "sent", "left", "blocked", "failed"].forEach(function (name) {
              var cell = row.querySelector('[data-field="' + name + '"]');
              if (cell) { cell.textContent = item[name]; }
            });
            var bar = row.querySelector("progress");
            if (bar) { bar.max = Math.max(item.of, 1); bar.value = item.done; }
          });
          if (changed) { window.location.reload(); return; }  // new actions for the new state
          next();
        })
        .catch(function () { setTimeout(poll, 10000); });
    };
    next();
  }
})();
