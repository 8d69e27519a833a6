// Topic editor: check the query's syntax as it is typed and preview how many recent items it matches.
// The server does the same on submit, so without JavaScript nothing is lost. No framework, no external script.
(function () {
  "use strict";
  var box = document.getElementById("topic-query");
  if (!box) { return; }
  var status = document.getElementById("query-status");
  var counts = document.getElementById("preview-counts");
  var list = document.getElementById("preview-items");
  var strings = document.getElementById("topic-strings").dataset;
  var timer = null;
  var latest = 0;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return key in values ? values[key] : ""; });
  }

  function showError(problem, position) {
    var line = box.value.replace(/\n/g, " ");
    status.innerHTML = "";
    var wrap = document.createElement("div");
    wrap.className = "notice notice-error query-error";
    var p = document.createElement("p");
    p.textContent = fill(strings.error, { problem: problem, column: position + 1 });
    var pre = document.createElement("pre");
    pre.className = "caret";
    pre.textContent = line + "\n" + " ".repeat(position) + "^";
    wrap.appendChild(p);
    wrap.appendChild(pre);
    status.appendChild(wrap);
  }

  function showPreview(data) {
    counts.textContent = fill(strings.counts, { matched: data.matched, scanned: data.scanned, day: data.last_24h });
    list.innerHTML = "";
    var ol = document.createElement("ol");
    ol.className = "items";
    data.samples.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "item";
      var h = document.createElement("h3");
      h.className = "item-title";
      h.textContent = item.title || item.text.slice(0, 120);
      li.appendChild(h);
      ol.appendChild(li);
    });
    list.appendChild(ol);
  }

  function check() {
    var query = box.value;
    var ticket = ++latest;
    if (!query.trim()) { status.innerHTML = ""; return; }
    fetch(box.dataset.check + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (ticket !== latest) { return; }  // an older answer arriving late must not overwrite a newer one
        if (!data.ok) { showError(data.message || data.problem, data.position || 0); return; }
        status.innerHTML = "";
        var ok = document.createElement("p");
        ok.className = "ok-text";
        ok.textContent = strings.ok;
        status.appendChild(ok);
        return fetch(box.dataset.preview + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (preview) { if (ticket === latest) { showPreview(preview); } });
      })
      .catch(function () { /* offline: the server checks again on submit */ });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  });
})();
