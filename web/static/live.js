// live.js keeps a dashboard page current without reloading it: it listens to
// /events (server-sent events) and, when a run was recorded, fetches the page
// again and swaps in its <main> and footer, the title and the favicon. Open
// <details> stay open, a form being filled is not replaced, and the stream is closed while the tab is
// hidden (browsers allow few connections per host). Without JavaScript the
// page reloads itself instead (a meta refresh inside <noscript>), so this is
// only an enhancement. No framework, no inline code: the CSP allows none.
(function () {
  "use strict";
  var indicator = document.getElementById("live");
  if (!indicator || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var source = null;
  var busy = false;
  var pending = false;

  function show(state, text) {
    indicator.hidden = false;
    indicator.setAttribute("data-state", state);
    indicator.textContent = text;
  }

  function connect() {
    if (source) {
      return;
    }
    source = new EventSource("/events");
    source.addEventListener("ready", function () {
      show("on", "● live");
    });
    source.addEventListener("runs", refresh);
    source.onerror = function () {
      // EventSource reconnects by itself unless the server refused it.
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        show("off", "○ live updates off");
      } else {
        show("off", "○ reconnecting…");
      }
    };
  }

  function disconnect() {
    if (source) {
      source.close();
      source = null;
    }
    show("paused", "○ paused");
  }

  // editing reports a form field in <main> that has the focus.
  function editing() {
    var el = document.activeElement;
    return !!(el && el.closest && el.closest("main form"));
  }

  function openState(root) {
    var state = {};
    root.querySelectorAll("details[id]").forEach(function (d) {
      state[d.id] = d.open;
    });
    return state;
  }

  function swap(doc) {
    var next = doc.querySelector("main");
    var cur = document.querySelector("main");
    if (!next || !cur) {
      return;
    }
    var open = openState(cur);
    cur.replaceChildren.apply(cur, Array.prototype.slice.call(next.childNodes));
    cur.querySelectorAll("details[id]").forEach(function (d) {
      if (Object.prototype.hasOwnProperty.call(open, d.id)) {
        d.open = open[d.id];
      }
    });
    var nextFooter = doc.querySelector("footer");
    var footer = document.querySelector("footer");
    if (nextFooter && footer) {
      footer.replaceChildren.apply(footer, Array.prototype.slice.call(nextFooter.childNodes));
    }
    // The title and the favicon carry the worst state: a background tab
    // must tell when a check starts failing.
    document.title = doc.title;
    var nextIcon = doc.querySelector('link[rel="icon"]');
    var icon = document.querySelector('link[rel="icon"]');
    if (nextIcon && icon && icon.getAttribute("href") !== nextIcon.getAttribute("href")) {
      icon.setAttribute("href", nextIcon.getAttribute("href"));
    }
  }

  function refresh() {
    if (busy || editing()) {
      pending = true;
      return;
    }
    busy = true;
    pending = false;
    fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (resp) {
        if (!resp.ok) {
          throw new Error("status " + resp.status);
        }
        return resp.text();
      })
      .then(function (html) {
        swap(new DOMParser().parseFromString(html, "text/html"));
        show("on", "● live");
      })
      .catch(function () {
        show("off", "○ update failed");
      })
      .finally(function () {
        busy = false;
        if (pending) {
          refresh();
        }
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      disconnect();
    } else {
      connect();
      refresh();
    }
  });
  document.addEventListener("focusout", function () {
    if (pending) {
      setTimeout(refresh, 0);
    }
  });
  connect();
})();
