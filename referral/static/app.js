// Area completion for the route form: fills <datalist id="area-options"> from
// /api/areas?q= as one types. The form works without it (the list is also rendered
// on the server). Only the area is sent: never the note.
(function () {
  "use strict";
  var input = document.getElementById("area");
  var list = document.getElementById("area-options");
  if (!input || !list || !window.fetch) { return; }
  var lang = document.documentElement.lang === "en" ? "en" : "ja";
  var timer = null;
  var last = "";
  function fill(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.value;          // text nodes only: nothing is parsed as HTML
      option.textContent = item.label;
      list.appendChild(option);
    });
  }
  function ask() {
    var q = input.value.trim();
    if (!q || q === last) { return; }
    last = q;
    fetch("/api/areas?lang=" + lang + "&q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) { if (Array.isArray(items) && items.length) { fill(items); } })
      .catch(function () { /* keep the server-rendered list */ });
  }
  input.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, 200);
  });
}());
