/* The roll-call on a phone (issue 11): each tap is saved on its own (one POST). Taps wait in a queue
   kept in localStorage, sent one after the other; when the connection is lost the page says so and
   sends them when it returns, so nothing tapped is lost, even across a reload. No inline script
   (CSP), no outside library. */
(function () {
  "use strict";
  var root = document.getElementById("roll-call");
  if (!root) { return; }
  var key = "haichieu-roll-call-" + root.dataset.meeting;
  var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var banner = document.getElementById("connection");
  var queue = load();
  var sending = false;
  var retryTimer = null;
  var lost = false;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(key)) || []; } catch (e) { return []; }
  }
  function save() {
    try { window.localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* full: kept in memory */ }
  }
  function person(url) {
    return root.querySelector('section[data-url="' + url + '"]');
  }
  function say(text, kind) {
    banner.hidden = !text;
    banner.textContent = text || "";
    banner.className = "alert roll-call-connection alert-" + (kind || "warning");
  }
  function showQueue() {
    if (lost) {
      say("Mất kết nối: " + queue.length + " thao tác đang chờ, sẽ tự gửi khi có mạng trở lại.", "warning");
    } else if (queue.length) {
      say("Đang gửi " + queue.length + " thao tác…", "info");
    } else {
      say("", "info");
    }
  }
  function pressStatus(section, status) {
    section.querySelectorAll("button[data-status]").forEach(function (button) {
      var on = button.dataset.status === status;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("btn-danger", on);
      button.classList.toggle("btn-outline-secondary", !on);
    });
  }
  function marker(section, text) {
    var saved = section.querySelector("[data-saved]");
    if (saved) { saved.textContent = text; }
  }
  function enqueue(url, fields) {
    queue.push({ url: url, fields: fields });
    save();
    var section = person(url);
    if (section) { marker(section, "Chờ gửi"); }
    showQueue();
    flush();
  }
  function retry() {
    if (retryTimer === null) {
      retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, 3000);
    }
  }
  function flush() {
    if (sending || !queue.length) { showQueue(); return; }
    sending = true;
    var item = queue[0];
    window.fetch(item.url, {
      method: "POST",
      body: new URLSearchParams(item.fields),
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      if (response.status >= 500 || response.type === "opaqueredirect" || response.status === 0) {
        throw new Error("server");
      }
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      sending = false;
      lost = false;
      queue.shift();
      save();
      var section = person(item.url);
      if (section) {
        if (result.ok) {
          if (item.fields.status) { pressStatus(section, result.data.status); }
          if (!queue.some(function (other) { return other.url === item.url; })) { marker(section, "Đã lưu"); }
        } else {
          marker(section, "Chưa lưu: " + (result.data.message || "lỗi"));
        }
      }
      flush();
    }, function () {
      sending = false;
      lost = true;
      showQueue();
      retry();
    });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-status]");
    if (!button) { return; }
    var section = button.closest("section[data-url]");
    pressStatus(section, button.dataset.status);
    enqueue(section.dataset.url, { status: button.dataset.status });
  });
  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form.roll-call-note");
    if (!form) { return; }
    event.preventDefault();
    var section = form.closest("section[data-url]");
    enqueue(section.dataset.url, {
      reason: form.elements.reason.value,
      contribution: form.elements.contribution.value
    });
  });
  window.addEventListener("online", function () { lost = false; flush(); });
  window.addEventListener("offline", function () { lost = true; showQueue(); });

  // Taps queued before a reload: show them as tapped, then send them.
  queue.forEach(function (item) {
    var section = person(item.url);
    if (section) {
      if (item.fields.status) { pressStatus(section, item.fields.status); }
      marker(section, "Chờ gửi");
    }
  });
  flush();
}());
