/*
 * LDN web chat: talks to the Rasa server over socket.io (same origin), renders each answer
 * from its structured payload (the same JSON the REST channel returns under "custom"), and
 * keeps the conversation across reloads.
 *
 * Persistence, in two halves:
 *  - the server side: a stable session id in localStorage is sent in "session_request";
 *    Rasa (session_persistence: true) keys the tracker on it, so follow-up questions keep
 *    their context after a reload or a reconnect;
 *  - the screen: a local transcript (the user's questions and the payloads received) in
 *    localStorage, re-rendered on load. Reading the tracker over Rasa's HTTP API instead would
 *    expose that API to browsers (and break once RASA_AUTH_TOKEN protects it).
 *    "New conversation" wipes both the transcript and the session id.
 *
 * All content is inserted with textContent / DOM nodes, never as HTML.
 */
(function () {
  "use strict";

  var STORE_KEY = "ldn-webchat-v1";
  var MAX_STORED = 200;
  var REPLY_TIMEOUT_MS = 90000;
  var EVIDENCE_LABEL = {
    high: "High certainty",
    moderate: "Moderate certainty",
    low: "Low certainty",
    very_low: "Very low certainty"
  };
  // Reasons for "not helpful": the codes the feedback endpoint accepts (ldn_core/feedback/model.py).
  var FEEDBACK_REASONS = [
    ["wrong", "Wrong"],
    ["outdated", "Outdated"],
    ["missing_source", "Missing source"],
    ["unsafe", "Unsafe"],
    ["did_not_answer", "Did not answer"]
  ];
  // Same origin as the page (/webhooks/webchat/ -> /webhooks/feedback/), also behind a proxy.
  var FEEDBACK_URL = new URL("../feedback/", window.location.href).toString();
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var VERDICT_LABEL = {
    can_start: "Can start",
    wait_until: "Wait",
    do_not_start: "Do not start",
    needs_specialist_review: "Needs specialist review",
    insufficient_information: "More information needed"
  };

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var typing = document.getElementById("typing");
  var connection = document.getElementById("connection");
  var connectionText = document.getElementById("connection-text");
  var emptyState = document.getElementById("empty-state");
  var newConversation = document.getElementById("new-conversation");

  var messageCount = 0;
  var ready = false;
  var waiting = false;
  var replyTimer = null;

  // ---------- storage ----------
  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function loadState() {
    try {
      var state = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (state && typeof state.sessionId === "string" && Array.isArray(state.messages)) {
        return state;
      }
    } catch (e) { /* unreadable: start afresh */ }
    return { sessionId: newSessionId(), messages: [], feedback: {} };
  }

  var state = loadState();
  if (!state.feedback || typeof state.feedback !== "object") state.feedback = {};

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED);
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* storage full or disabled: the live conversation still works */ }
  }

  // ---------- DOM helpers ----------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function externalLink(url, text) {
    var a = el("a", null, text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function evidenceChip(level) {
    var label = EVIDENCE_LABEL[level] || level;
    var chip = el("span", "evidence-chip ev-" + String(level).replace(/[^a-z_]/g, ""), label);
    chip.title = "Strength of evidence for this statement";
    return chip;
  }

  function scrollToEnd() {
    var last = log.lastElementChild;
    if (last && last.scrollIntoView) last.scrollIntoView({ block: "end" });
  }

  function addToLog(item) {
    emptyState.hidden = true;
    log.appendChild(item);
    scrollToEnd();
  }

  // ---------- rendering ----------
  function renderUser(text) {
    var li = el("li", "msg msg-user");
    var bubble = el("div", "bubble");
    bubble.appendChild(el("span", "who", "You"));
    bubble.appendChild(el("p", null, text));
    li.appendChild(bubble);
    addToLog(li);
  }

  function renderTextParagraphs(container, text) {
    String(text).split(/\n{2,}/).forEach(function (part) {
      if (part.trim()) container.appendChild(el("p", null, part.trim()));
    });
  }

  function renderSchedule(container, schedule) {
    var table = el("table", "schedule");
    table.appendChild(el("caption", null, "Titration schedule"));
    var head = el("thead");
    var hr = el("tr");
    ["Step", "From", "Until", "Dose at bedtime", "Liquid (1 mg/mL)"].forEach(function (h) {
      var th = el("th", null, h);
      th.scope = "col";
      hr.appendChild(th);
    });
    head.appendChild(hr);
    table.appendChild(head);
    var body = el("tbody");
    schedule.rows.forEach(function (row) {
      var tr = el("tr");
      var step = el("th", null, row.step);
      step.scope = "row";
      tr.appendChild(step);
      tr.appendChild(el("td", null, row.start));
      tr.appendChild(el("td", null, row.end || "continue"));
      tr.appendChild(el("td", "num", row.dose_mg + " mg"));
      tr.appendChild(el("td", "num", row.liquid_ml + " mL"));
      body.appendChild(tr);
    });
    table.appendChild(body);
    container.appendChild(table);
  }

  function renderPoints(container, points, citationIds) {
    var list = el("ul", "points");
    points.forEach(function (point) {
      var li = el("li");
      if (point.disputes) li.appendChild(el("span", "dispute-tag", "Disagreeing evidence: "));
      li.appendChild(el("strong", null, point.title));
      li.appendChild(document.createTextNode(": " + point.text + " "));
      var refs = el("span", "refs");
      (point.refs || []).forEach(function (n) {
        var sup = el("sup");
        if (citationIds[n]) {
          var a = el("a", null, "[" + n + "]");
          a.href = "#" + citationIds[n];
          a.setAttribute("aria-label", "reference " + n);
          sup.appendChild(a);
        } else {
          sup.textContent = "[" + n + "]";
        }
        refs.appendChild(sup);
      });
      li.appendChild(refs);
      if (point.evidence) {
        var chip = evidenceChip(point.evidence);
        if (point.reviewed) chip.title += "; last reviewed " + humanDate(point.reviewed);
        li.appendChild(chip);
      }
      if (point.id) li.dataset.origin = point.id;
      list.appendChild(li);
    });
    container.appendChild(list);
  }

  function renderCitations(container, citations, citationIds) {
    var section = el("section", "references");
    var headingId = "refs-" + messageCount;
    var h = el("h3", null, "References");
    h.id = headingId;
    section.setAttribute("aria-labelledby", headingId);
    section.appendChild(h);
    var list = el("ol");
    citations.forEach(function (c) {
      var li = el("li");
      li.id = citationIds[c.number];
      li.value = c.number;
      var year = c.year === null || c.year === undefined ? "year not verified" : c.year;
      // Same order as the text renderer: authors first when verified, else the title.
      if (c.authors) li.appendChild(document.createTextNode(c.authors + " (" + year + "). "));
      var title = (c.title || c.source_id || "Source").replace(/\.$/, "");
      var url = safeUrl(c.url);
      li.appendChild(url ? externalLink(url, title) : el("span", null, title));
      li.appendChild(
        document.createTextNode(c.authors ? ". " : " (" + year + "; authors not verified). ")
      );
      var journal = [c.journal, c.volume_pages].filter(Boolean).join(" ");
      if (journal) li.appendChild(el("em", null, journal + ". "));
      var ids = [];
      if (c.doi) ids.push("DOI " + c.doi);
      if (c.pmid) ids.push("PMID " + c.pmid);
      if (ids.length) li.appendChild(el("span", "ref-ids", ids.join(" · ")));
      list.appendChild(li);
    });
    section.appendChild(list);
    container.appendChild(section);
  }

  function renderChoices(container, choices, live) {
    if (!choices || !choices.length) return;
    var group = el("div", "choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested questions");
    choices.forEach(function (choice) {
      var b = el("button", "choice", choice.title);
      b.type = "button";
      b.dataset.payload = choice.payload;
      if (!live) b.disabled = true;
      b.addEventListener("click", function () {
        if (!ready) return;
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) {
          x.disabled = true;
          x.dataset.used = "1";
        });
        send(choice.payload, choice.title);
        input.focus();
      });
      group.appendChild(b);
    });
    container.appendChild(group);
  }

  function renderPayload(bubble, p, fallbackText) {
    var citationIds = {};
    (p.citations || []).forEach(function (c) {
      citationIds[c.number] = "cite-" + messageCount + "-" + c.number;
    });

    if (p.kind === "unavailable") {
      bubble.appendChild(el("p", "notice", fallbackText ||
        "The assistant is temporarily unavailable. Please try again in a minute."));
      return;
    }
    if (p.screening && p.screening.verdict) {
      var verdict = el("p", "verdict verdict-" + p.screening.verdict.replace(/[^a-z_]/g, ""));
      verdict.appendChild(el("span", "visually-hidden",
        (VERDICT_LABEL[p.screening.verdict] || p.screening.verdict) + ". "));
      verdict.appendChild(document.createTextNode(p.intro || VERDICT_LABEL[p.screening.verdict]));
      bubble.appendChild(verdict);
    } else if (p.intro) {
      var intro = el("div", "intro");
      renderTextParagraphs(intro, p.intro);
      bubble.appendChild(intro);
    }
    if (p.schedule && Array.isArray(p.schedule.rows) && p.schedule.rows.length) {
      renderSchedule(bubble, p.schedule);
    }
    if (p.points && p.points.length) renderPoints(bubble, p.points, citationIds);
    if (p.conflict) {
      var conflict = el("p", "conflict");
      conflict.setAttribute("role", "note");
      conflict.appendChild(el("strong", null, "Sources disagree: "));
      conflict.appendChild(document.createTextNode(p.conflict));
      bubble.appendChild(conflict);
    }
    if (p.evidence && (p.evidence.summary || p.evidence.label)) {
      var ev = el("p", "evidence-summary");
      ev.appendChild(el("strong", null, "Strength of evidence: "));
      ev.appendChild(document.createTextNode(p.evidence.summary || p.evidence.label));
      bubble.appendChild(ev);
    }
    if (p.citations && p.citations.length) renderCitations(bubble, p.citations, citationIds);
    if (p.reviewed) {
      var reviewed = el("p", "reviewed", "Content last reviewed " + humanDate(p.reviewed));
      reviewed.title = "Date of the least recently reviewed statement in this answer";
      bubble.appendChild(reviewed);
    }
    if (p.disclaimer) bubble.appendChild(el("p", "answer-disclaimer", p.disclaimer));
    if (!bubble.querySelector("p, ul, table") && fallbackText) {
      renderTextParagraphs(bubble, fallbackText);
    }
  }

  function humanDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
    return m ? Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1] : String(iso);
  }

  // ---------- feedback ----------
  function postFeedback(body) {
    return window.fetch(FEEDBACK_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    });
  }

  function renderFeedback(container, answerId) {
    var box = el("div", "feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Feedback on this answer");
    var status = el("p", "feedback-status");
    status.setAttribute("role", "status");
    var done = state.feedback[answerId];
    if (done) {
      status.textContent = "Thank you: feedback sent (" + done.replace("_", " ") + ").";
      box.appendChild(status);
      container.appendChild(box);
      return;
    }
    box.appendChild(el("span", "feedback-prompt", "Was this answer helpful?"));
    var yes = el("button", "feedback-button", "Helpful");
    var no = el("button", "feedback-button", "Not helpful");
    yes.type = no.type = "button";
    yes.dataset.rating = "helpful";
    no.dataset.rating = "not_helpful";
    no.setAttribute("aria-expanded", "false");
    box.appendChild(yes);
    box.appendChild(no);

    var form = el("form", "feedback-form");
    form.hidden = true;
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", null, "What was wrong with it?"));
    var group = "reason-" + answerId;
    FEEDBACK_REASONS.forEach(function (r) {
      var label = el("label", "feedback-reason");
      var radio = el("input");
      radio.type = "radio";
      radio.name = group;
      radio.value = r[0];
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + r[1]));
      fieldset.appendChild(label);
    });
    form.appendChild(fieldset);
    var commentLabel = el("label", "feedback-comment-label",
      "Comment (optional; please no patient names or identifiers)");
    var comment = el("textarea", "feedback-comment");
    comment.rows = 2;
    comment.maxLength = 1000;
    commentLabel.appendChild(comment);
    form.appendChild(commentLabel);
    var submit = el("button", "feedback-send", "Send feedback");
    submit.type = "submit";
    form.appendChild(submit);
    box.appendChild(form);
    box.appendChild(status);

    function send(rating, reason, text) {
      yes.disabled = no.disabled = submit.disabled = true;
      status.textContent = "Sending…";
      var body = { sender: state.sessionId, answer_id: answerId, rating: rating, channel: "webchat" };
      if (reason) body.reason = reason;
      if (text) body.comment = text;
      postFeedback(body).then(function () {
        state.feedback[answerId] = rating;
        saveState();
        form.hidden = true;
        yes.hidden = no.hidden = true;
        status.textContent = "Thank you: feedback sent (" + rating.replace("_", " ") + ").";
      }).catch(function () {
        yes.disabled = no.disabled = submit.disabled = false;
        status.textContent = "Feedback could not be sent. Please try again.";
      });
    }

    yes.addEventListener("click", function () { send("helpful"); });
    no.addEventListener("click", function () {
      form.hidden = false;
      no.setAttribute("aria-expanded", "true");
      var first = form.querySelector("input");
      if (first) first.focus();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var picked = form.querySelector("input[type=radio]:checked");
      if (!picked) {
        status.textContent = "Please pick a reason.";
        return;
      }
      send("not_helpful", picked.value, comment.value.trim());
    });
    container.appendChild(box);
  }

  function renderBot(event, live) {
    messageCount += 1;
    var li = el("li", "msg msg-bot");
    var bubble = el("div", "bubble");
    li.appendChild(bubble);
    bubble.appendChild(el("span", "who", "Assistant"));
    var payload = event && typeof event.custom === "object" && event.custom &&
      event.custom.ldn_answer ? event.custom : null;
    if (payload) {
      renderPayload(bubble, payload, event.text);
    } else if (event && event.text) {
      renderTextParagraphs(bubble, event.text);
    }
    var choices = (payload && payload.buttons && payload.buttons.length) ? payload.buttons :
      (event && event.quick_replies) || [];
    renderChoices(bubble, choices, live);
    if (payload && payload.answer_id && payload.kind !== "message" && payload.kind !== "unavailable") {
      renderFeedback(bubble, payload.answer_id);
    }
    addToLog(li);
  }

  // ---------- connection state ----------
  function setConnection(stateName, text) {
    connection.dataset.state = stateName;
    connectionText.textContent = text;
    ready = stateName === "connected";
    sendButton.disabled = !ready;
    form.setAttribute("aria-busy", ready ? "false" : "true");
    Array.prototype.forEach.call(log.querySelectorAll(".msg:last-child .choice"), function (b) {
      if (!b.dataset.used) b.disabled = !ready;
    });
  }

  function setWaiting(on) {
    waiting = on;
    typing.hidden = !on;
    if (replyTimer) window.clearTimeout(replyTimer);
    replyTimer = null;
    if (on) {
      replyTimer = window.setTimeout(function () {
        setWaiting(false);
        renderBot({ text: "No reply yet. The assistant may be busy or offline; please try again." }, true);
      }, REPLY_TIMEOUT_MS);
    }
  }

  // ---------- socket ----------
  if (typeof window.io !== "function") {
    setConnection("disconnected", "Chat client failed to load");
    return;
  }
  // Behind several Rasa replicas (deploy/nginx.conf.j2) the proxy routes every socket.io
  // request of this browser to the same replica by this cookie: long-polling needs that.
  if (!/(?:^|; )ldn_affinity=/.test(document.cookie)) {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    var affinity = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    document.cookie = "ldn_affinity=" + affinity + "; path=/; max-age=31536000; SameSite=Strict";
  }
  // Where the deployment requires sign-in (LDN_WEBCHAT_JWT_KEY, docs/deployment.md), the
  // organisation's sign-in sets this cookie; it is read on every (re)connection so that a
  // renewed token is used.
  function chatToken() {
    var found = document.cookie.match(/(?:^|; )ldn_chat_token=([^;]*)/);
    return found ? decodeURIComponent(found[1]) : null;
  }
  // Long-polling first, then upgraded to a WebSocket (socket.io's default; works behind proxies).
  var socket = window.io({
    path: "/socket.io",
    reconnectionDelayMax: 5000,
    auth: function (give) {
      var token = chatToken();
      give(token ? { token: token } : {});
    }
  });

  socket.on("connect", function () {
    setConnection("connecting", "Starting session…");
    socket.emit("session_request", { session_id: state.sessionId });
  });

  socket.on("session_confirm", function (sessionId) {
    var id = typeof sessionId === "string" ? sessionId : (sessionId && sessionId.session_id);
    if (id && id !== state.sessionId) {
      state.sessionId = id;
      saveState();
    }
    setConnection("connected", "Connected");
  });

  socket.on("bot_uttered", function (event) {
    setWaiting(false);
    renderBot(event, true);
    state.messages.push({ role: "bot", event: event });
    saveState();
  });

  socket.on("disconnect", function (reason) {
    var manual = reason === "io client disconnect";
    setConnection(manual ? "disconnected" : "reconnecting",
      manual ? "Disconnected" : "Connection lost. Reconnecting…");
  });

  socket.on("connect_error", function () {
    // Refused by the server (no or expired sign-in token): socket.io does not retry that.
    if (!socket.active) {
      setConnection("disconnected", "Sign-in needed: sign in again, then reload this page.");
      return;
    }
    setConnection("reconnecting", "Cannot reach the assistant. Retrying…");
  });

  socket.io.on("reconnect_attempt", function (attempt) {
    setConnection("reconnecting", "Reconnecting (attempt " + attempt + ")…");
  });

  socket.io.on("reconnect_failed", function () {
    setConnection("disconnected", "Disconnected. Reload the page to try again.");
  });

  function send(text, shown) {
    var clean = String(text).trim();
    if (!clean || !ready) return false;
    renderUser(shown || clean);
    state.messages.push({ role: "user", text: shown || clean });
    saveState();
    socket.emit("user_uttered", { message: clean, session_id: state.sessionId });
    setWaiting(true);
    return true;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (send(input.value)) {
      input.value = "";
    }
    input.focus();
  });

  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  newConversation.addEventListener("click", function () {
    state = { sessionId: newSessionId(), messages: [], feedback: {} };
    saveState();
    log.textContent = "";
    messageCount = 0;
    emptyState.hidden = false;
    setWaiting(false);
    if (socket.connected) {
      setConnection("connecting", "Starting session…");
      socket.emit("session_request", { session_id: state.sessionId });
    }
    input.focus();
  });

  // ---------- restore the transcript (before announcements are switched on) ----------
  state.messages.forEach(function (m) {
    if (m.role === "user") renderUser(m.text);
    else if (m.role === "bot") renderBot(m.event, false);
  });
  var lastBot = log.querySelector(".msg:last-child.msg-bot .choices");
  if (lastBot) {
    Array.prototype.forEach.call(lastBot.querySelectorAll("button"), function (b) {
      b.disabled = false;
    });
  }
  log.setAttribute("aria-live", "polite");
  input.focus();
})();
