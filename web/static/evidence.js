// evidence.js loads a run's evidence into the check page when its <details>
// is opened, from the run's evidence route (asked with HX-Request, which
// answers the fragment alone). Without JavaScript the details hold a link to
// the evidence page instead, so this is only an enhancement. A run's evidence
// never changes: each is fetched once per page and kept, so the details that
// live.js re-opens after swapping in a fresh <main> fill at once.
(function () {
  "use strict";
  if (!window.fetch) {
    return;
  }
  var cache = {};

  function fill(details, html) {
    var slot = details.querySelector("[data-evidence-slot]");
    if (!slot) {
      return;
    }
    var doc = new DOMParser().parseFromString(html, "text/html");
    slot.replaceWith.apply(slot, Array.prototype.slice.call(doc.body.childNodes));
    details.setAttribute("data-loaded", "");
  }

  function load(details) {
    var url = details.getAttribute("data-evidence");
    if (!url || details.hasAttribute("data-loaded") || details.hasAttribute("data-loading")) {
      return;
    }
    if (Object.prototype.hasOwnProperty.call(cache, url)) {
      fill(details, cache[url]);
      return;
    }
    details.setAttribute("data-loading", "");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true", Accept: "text/html" } })
      .then(function (resp) {
        if (!resp.ok) {
          throw new Error("status " + resp.status);
        }
        return resp.text();
      })
      .then(function (html) {
        cache[url] = html;
        fill(details, html);
      })
      .catch(function () {
        var slot = details.querySelector("[data-evidence-slot]");
        if (slot) {
          slot.setAttribute("data-failed", "");
        }
      })
      .finally(function () {
        details.removeAttribute("data-loading");
      });
  }

  // toggle does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (ev) {
    var d = ev.target;
    if (d && d.open && d.matches && d.matches("details[data-evidence]")) {
      load(d);
    }
  }, true);
  document.querySelectorAll("details[data-evidence][open]").forEach(load);
})();
