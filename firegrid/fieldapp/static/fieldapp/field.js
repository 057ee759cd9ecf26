/* The offline field app: today's list, checklists worked through offline with photos, drafts kept
   in IndexedDB at every tap, and a send queue that syncs each finished visit exactly once (its id is
   made here; the server answers a replay with the first answer). Conflicts stay in the queue with
   the server's reason until the user edits, retries or discards them.
   Steps on the open hazard cases of the user's grids (rectified with evidence, re-inspected, a note…)
   are drafted and queued the same way, each with the case status it was taken from; a step refused
   because the case moved on meanwhile is listed under "conflicts", with what the user wrote, until
   they send it as a note instead or dismiss it. */
(function () {
  "use strict";
  var root = document.getElementById("field-app");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("field-strings").textContent);
  var urls = {today: root.dataset.todayUrl, sync: root.dataset.syncUrl};
  var store = window.FieldStore;
  var state = {today: null, drafts: [], queue: [], sending: false, notice: ""};

  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) { return; }
      if (key === "text") { node.textContent = value; }
      else if (key.slice(0, 2) === "on") { node.addEventListener(key.slice(2), value); }
      else { node.setAttribute(key, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function localDate() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 10);
  }

  function load() {
    return Promise.all([store.get("meta", "today"), store.all("drafts"), store.all("queue")]).then(function (r) {
      state.today = r[0] ? r[0].data : null;
      state.drafts = r[1];
      state.queue = r[2].sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
    });
  }

  function waiting() { return state.queue.filter(function (q) { return q.state === "waiting"; }); }

  /* ---- downloading today's list ---- */
  function download() {
    state.notice = T.downloading;
    refresh();
    return fetch(urls.today, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (response.status === 401) { throw new Error(T.login_needed); }
        if (!response.ok) { throw new Error(T.download_failed); }
        return response.json();
      })
      .then(function (data) {
        return store.put("meta", {id: "today", data: data}).then(function () {
          state.today = data;
          state.notice = fmt(T.downloaded, {n: data.places.length});
        });
      })
      .catch(function (error) {
        state.notice = error.message && error.message !== "Failed to fetch" ? error.message : T.download_failed;
      })
      .then(refresh);
  }

  /* ---- drafts ---- */
  function startVisit(place) {
    var existing = state.drafts.filter(function (d) { return d.place === place.id && d.visit_kind === place.visit_kind; })[0];
    if (existing) { location.hash = "#/visit/" + existing.id; return; }
    var draft = {
      id: uuid(), place: place.id, place_name: place.name, visit_kind: place.visit_kind,
      plan_item: place.plan_item, checklists: place.checklists, done_on: localDate(),
      started_at: new Date().toISOString(), lat: null, lng: null, notes: "", answers: {}
    };
    store.put("drafts", draft).then(function () {
      state.drafts.push(draft);
      location.hash = "#/visit/" + draft.id;
    });
  }

  function saveDraft(draft, quiet) {
    return store.put("drafts", draft).then(function () {
      if (!quiet) {
        var status = document.getElementById("draft-status");
        if (status) { status.textContent = T.saved_draft; }
      }
    });
  }

  function finish(draft) {
    var answers = [];
    var photos = {};
    Object.keys(draft.answers).forEach(function (key, index) {
      var a = draft.answers[key];
      var entry = {checklist: a.checklist, version: a.version, item_code: a.item_code, result: a.result,
        note: a.note || "", corrected_on_spot: !!a.corrected_on_spot};
      if (a.photo) { entry.photo = "photo-" + index; photos[entry.photo] = a.photo; }
      answers.push(entry);
    });
    var item = {
      id: draft.id, kind: draft.visit_kind, place: draft.place, plan_item: draft.plan_item,
      done_on: draft.done_on, lat: draft.lat, lng: draft.lng, notes: draft.notes, answers: answers
    };
    var queued = {id: draft.id, item: item, photos: photos, draft: draft, place_name: draft.place_name,
      state: "waiting", message: "", queued_at: new Date().toISOString()};
    return store.move("drafts", "queue", queued).then(function () {
      state.drafts = state.drafts.filter(function (d) { return d.id !== draft.id; });
      state.queue.push(queued);
      state.notice = T.finished;
      location.hash = "#/";
      syncAll();
    });
  }

  /* ---- the send queue ---- */
  function sendOne(entry) {
    var body = new FormData();
    body.append("item", JSON.stringify(entry.item));
    Object.keys(entry.photos || {}).forEach(function (key) { body.append(key, entry.photos[key], key + ".jpg"); });
    return fetch(urls.sync, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf(), Accept: "application/json"}
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) { return {stop: T.login_needed}; }
      if (response.status >= 500) { return {stop: T.server_error}; }
      return response.json().then(function (answer) {
        if (response.ok) {
          entry.state = "sent";
          entry.sent_at = new Date().toISOString();
          entry.result = answer;
          entry.message = answer.message || T.sent;
          entry.photos = {};
          entry.draft = null;
        } else {
          entry.state = answer.status === "conflict" ? "conflict" : "rejected";
          entry.code = answer.code;
          entry.message = answer.message;
        }
        return store.put("queue", entry).then(function () { return {}; });
      });
    });
  }

  function syncAll() {
    if (state.sending) { return Promise.resolve(); }
    var list = waiting();
    if (!list.length) { refresh(); return Promise.resolve(); }
    state.sending = true;
    refresh();
    var chain = Promise.resolve({});
    list.forEach(function (entry) {
      chain = chain.then(function (outcome) { return outcome.stop ? outcome : sendOne(entry); });
    });
    return chain.then(function (outcome) {
      state.notice = outcome.stop || "";
    }, function () {
      state.notice = T.offline;  /* no network: everything stays queued */
    }).then(function () {
      state.sending = false;
      refresh();
    });
  }

  function retry(entry) {
    entry.state = "waiting";
    entry.message = "";
    store.put("queue", entry).then(syncAll);
  }

  function discard(entry, from) {
    if (!window.confirm(T.discard_confirm)) { return; }
    store.remove(from, entry.id).then(load).then(render);
  }

  function editAgain(entry) {
    var draft = entry.draft;
    draft.id = entry.id;
    store.move("queue", "drafts", draft).then(load).then(function () { location.hash = "#/visit/" + draft.id; });
  }

  /* ---- steps on hazard cases ---- */
  function caseSteps() { return (state.today && state.today.case_steps) || {}; }
  function casesList() { return (state.today && state.today.cases) || []; }
  function caseById(id) { return casesList().filter(function (c) { return c.id === id; })[0]; }
  function isStep(entry) { return entry.kind === "case_step"; }

  /* the status the case will have once the steps queued on this phone are taken */
  function expectedStatus(c) {
    var status = c.status;
    var since = Date.parse((state.today && state.today.generated_at) || "") || 0;
    state.queue.forEach(function (entry) {
      if (!isStep(entry) || entry.case !== c.id) { return; }
      if (entry.state === "waiting" && entry.to_status) { status = entry.to_status; }
      if (entry.state === "sent" && Date.parse(entry.sent_at || "") > since) {
        status = (entry.result && entry.result.case_status) || entry.to_status || status;
      }
    });
    return status;
  }

  function stepsNow(c, status) {
    var table = caseSteps();
    return c.steps.filter(function (name) { return table[name] && table[name].from.indexOf(status) >= 0; });
  }

  function pendingSteps(c) {
    return state.queue.filter(function (q) { return isStep(q) && q.case === c.id && q.state === "waiting"; }).length;
  }

  function stepLabel(draft) {
    var spec = caseSteps()[draft.step];
    return (spec ? spec.label : draft.step) + " · " + draft.tracking_code;
  }

  function startStep(c, name) {
    var existing = state.drafts.filter(function (d) { return d.type === "case_step" && d.case === c.id && d.step === name; })[0];
    if (existing) { location.hash = "#/visit/" + existing.id; return; }
    var draft = {
      id: uuid(), type: "case_step", case: c.id, step: name, tracking_code: c.tracking_code,
      status: expectedStatus(c), version: c.version, note: "", passed: null, photos: [],
      started_at: new Date().toISOString()
    };
    store.put("drafts", draft).then(function () {
      state.drafts.push(draft);
      location.hash = "#/visit/" + draft.id;
    });
  }

  function finishStep(draft) {
    var spec = caseSteps()[draft.step] || {};
    var error = document.getElementById("step-error");
    var noteNeeded = spec.note_required || (draft.step === "reinspect" && draft.passed === false);
    if (draft.step === "reinspect" && typeof draft.passed !== "boolean") { error.textContent = T.passed_needed; return; }
    if (noteNeeded && !(draft.note || "").trim()) { error.textContent = T.note_needed; return; }
    var c = caseById(draft.case);
    var from = draft.step === "comment" ? null : (c ? expectedStatus(c) : draft.status);
    var photos = {};
    var keys = (draft.photos || []).map(function (blob, index) {
      photos["photo-" + index] = blob;
      return "photo-" + index;
    });
    var item = {id: draft.id, kind: "case_step", "case": draft.case, step: draft.step, status: from,
      version: draft.version, note: draft.note || "", photos: keys};
    if (draft.step === "reinspect") { item.passed = draft.passed; }
    var to = draft.step === "reinspect" ? (draft.passed ? spec.to_passed : spec.to_failed) : spec.to;
    var queued = {id: draft.id, kind: "case_step", "case": draft.case, step: draft.step, to_status: to || "",
      tracking_code: draft.tracking_code,
      item: item, photos: photos, draft: draft, place_name: stepLabel(draft),
      state: "waiting", message: "", queued_at: new Date().toISOString()};
    return store.move("drafts", "queue", queued).then(function () {
      state.drafts = state.drafts.filter(function (d) { return d.id !== draft.id; });
      state.queue.push(queued);
      state.notice = T.finished;
      location.hash = "#/";
      syncAll();
    });
  }

  /* a refused step's words and photos, sent as a note on the case instead (a new id) */
  function sendAsNote(entry) {
    var id = uuid();
    var draft = {id: id, type: "case_step", "case": entry.case, step: "comment", tracking_code: entry.tracking_code,
      note: entry.item.note, photos: entry.draft ? entry.draft.photos : [],
      passed: null, status: null, version: entry.item.version, started_at: new Date().toISOString()};
    var item = {id: id, kind: "case_step", "case": entry.case, step: "comment", status: null,
      version: entry.item.version, note: entry.item.note, photos: entry.item.photos || []};
    var queued = {id: id, kind: "case_step", "case": entry.case, step: "comment", to_status: "",
      tracking_code: entry.tracking_code,
      item: item, photos: entry.photos || {}, draft: draft, place_name: stepLabel(draft),
      state: "waiting", message: "", queued_at: new Date().toISOString()};
    store.swap("queue", entry.id, queued).then(load).then(function () { render(); syncAll(); });
  }

  function dismiss(entry) {
    if (!window.confirm(T.dismiss_confirm)) { return; }
    store.remove("queue", entry.id).then(load).then(render);
  }

  var photoUrls = [];
  function photoUrl(blob) {
    var url = URL.createObjectURL(blob);
    photoUrls.push(url);
    return url;
  }

  function conflictList() {
    var items = state.queue.filter(function (q) { return isStep(q) && (q.state === "conflict" || q.state === "rejected"); });
    if (!items.length) { return null; }
    return el("section", {"class": "field-conflicts", id: "conflicts"}, [
      el("h2", {text: T.conflicts_title}),
      el("p", {"class": "muted", text: T.conflicts_intro}),
      el("ul", {"class": "field-list", id: "conflict-list"}, items.map(function (entry) {
        var note = entry.item && entry.item.note;
        var blobs = Object.keys(entry.photos || {}).map(function (key) { return entry.photos[key]; });
        var noteOk = note && entry.code !== "case_out_of_scope" && entry.code !== "case_gone" && entry.step !== "comment";
        return el("li", {"class": "conflict-item queue-" + entry.state, "data-id": entry.id, "data-state": entry.state,
          "data-code": entry.code || ""}, [
          el("strong", {text: entry.place_name}), " ",
          el("span", {"class": "badge badge-red", text: entry.state === "conflict" ? T.conflict : T.rejected}),
          entry.message ? el("p", {"class": "queue-message", text: entry.message}) : null,
          note ? el("p", {"class": "conflict-note"}, [el("small", {"class": "muted", text: T.your_note + " "}), note]) : null,
          blobs.length ? el("p", {"class": "conflict-photos"}, blobs.map(function (blob) {
            return el("img", {src: photoUrl(blob), alt: T.photo});
          })) : null,
          el("p", {"class": "actions"}, [
            entry.state === "rejected" && entry.draft ? el("button", {type: "button", "class": "small secondary",
              onclick: function () { editAgain(entry); }, text: T.edit}) : null,
            noteOk ? el("button", {type: "button", "class": "small secondary send-as-note",
              onclick: function () { sendAsNote(entry); }, text: T.send_as_note}) : null,
            el("button", {type: "button", "class": "small secondary",
              onclick: function () { retry(entry); }, text: T.retry}),
            el("button", {type: "button", "class": "small contrast outline dismiss",
              onclick: function () { dismiss(entry); }, text: T.dismiss})
          ])
        ]);
      }))
    ]);
  }

  function casesSection() {
    var cases = casesList();
    if (!cases.length) { return null; }
    var statuses = (state.today && state.today.case_statuses) || {};
    var table = caseSteps();
    return el("section", {"class": "field-cases"}, [
      el("h2", {text: T.cases_title}),
      el("ul", {"class": "field-list", id: "case-list"}, cases.map(function (c) {
        var status = expectedStatus(c);
        var pending = pendingSteps(c);
        var facts = [c.place || c.address, c.region, fmt(T.held_at, {level: c.level})];
        if (c.deadline) { facts.push(fmt(T.rectify_by, {date: c.deadline})); }
        return el("li", {"class": "field-case", "data-case": String(c.id), "data-status": status}, [
          el("strong", {text: c.tracking_code + " " + c.category}), " ",
          el("span", {"class": "badge badge-muted case-status", text: statuses[status] || status}),
          el("br"),
          el("small", {"class": "muted", text: facts.filter(Boolean).join(" · ")}),
          el("p", {"class": "case-description", text: c.description}),
          pending ? el("p", {"class": "muted case-pending", text: fmt(T.steps_waiting, {n: pending})}) : null,
          el("p", {"class": "actions"}, stepsNow(c, status).map(function (name) {
            return el("button", {type: "button", "class": name === "comment" ? "small outline" : "small secondary",
              "data-step": name, onclick: function () { startStep(c, name); }, text: table[name].label});
          }))
        ]);
      }))
    ]);
  }

  function stepView(draft) {
    var spec = caseSteps()[draft.step] || {label: draft.step};
    var c = caseById(draft.case) || {};
    var photoList = el("ul", {"class": "field-list", id: "step-photos"});
    var error = el("p", {"class": "msg-error", id: "step-error", role: "alert"});

    function listPhotos() {
      photoList.replaceChildren.apply(photoList, (draft.photos || []).map(function (blob, index) {
        return el("li", {}, [
          el("img", {src: photoUrl(blob), alt: T.photo, "class": "step-thumb"}), " ",
          el("small", {"class": "muted", text: fmt(T.photo_added, {kb: Math.round(blob.size / 1024)})}), " ",
          el("button", {type: "button", "class": "small contrast outline", text: T.remove_photo, onclick: function () {
            draft.photos.splice(index, 1);
            saveDraft(draft).then(listPhotos);
          }})
        ]);
      }));
    }
    listPhotos();
    var noteLabel = {rectified: T.note_rectified, reinspect: T.note_reinspect}[draft.step] || T.note_step;
    return el("div", {"class": "field-visit field-step", "data-draft": draft.id, "data-step": draft.step}, [
      statusBar(),
      el("p", {}, [el("a", {href: "#/", text: "← " + T.back})]),
      el("h2", {text: stepLabel(draft)}),
      c.id ? el("p", {}, [el("strong", {text: c.category}), " · " + (c.place || c.address || "")]) : null,
      c.description ? el("p", {"class": "muted", text: c.description}) : null,
      draft.step === "reinspect" ? el("fieldset", {"class": "field-choices"}, [true, false].map(function (value) {
        return el("label", {"class": "field-choice"}, [
          el("input", {type: "radio", name: "passed", value: value ? "yes" : "no", checked: draft.passed === value,
            onchange: function () { draft.passed = value; saveDraft(draft); }}),
          " " + (value ? T.passed : T.failed)
        ]);
      })) : null,
      el("label", {}, [noteLabel, el("textarea", {rows: "3", id: "step-note",
        oninput: function (e) { draft.note = e.target.value; saveDraft(draft, true); }}, [draft.note || ""])]),
      spec.photos ? el("label", {}, [T.photo, el("input", {type: "file", accept: "image/*", capture: "environment",
        id: "step-photo", "class": "photo-input", onchange: function (e) {
          var file = e.target.files[0];
          var input = e.target;
          if (!file) { return; }
          window.FieldPhoto.resize(file).then(function (blob) {
            draft.photos = (draft.photos || []).concat([blob]);
            input.value = "";
            error.textContent = "";
            return saveDraft(draft).then(listPhotos);
          }, function () { error.textContent = T.photo_failed; });
        }})]) : null,
      spec.photos ? photoList : null,
      el("p", {}, [el("small", {id: "draft-status", "class": "muted"})]),
      error,
      el("p", {"class": "actions"}, [
        el("button", {type: "button", id: "step-save", onclick: function () { finishStep(draft); }, text: T.save_step}), " ",
        el("button", {type: "button", "class": "contrast outline", onclick: function () {
          discard(draft, "drafts");
          location.hash = "#/";
        }, text: T.discard})
      ])
    ]);
  }

  /* ---- views ---- */
  function statusBar() {
    var count = waiting().length;
    return el("div", {"class": "field-status", id: "field-status"}, [
      el("p", {"class": navigator.onLine ? "badge badge-green" : "badge badge-orange", id: "net-status",
        text: navigator.onLine ? T.online : T.offline}),
      el("p", {id: "queue-count", "class": "field-queue-count", "data-waiting": String(count),
        text: count ? fmt(T.waiting, {n: count}) : T.all_sent}),
      count ? el("button", {type: "button", id: "send-now", "class": "small", onclick: syncAll,
        "aria-busy": state.sending ? "true" : null, text: state.sending ? T.sending : T.send_now}) : null,
      state.notice ? el("p", {"class": "msg msg-info", id: "field-notice", role: "status", text: state.notice}) : null
    ]);
  }

  function queueList() {
    var items = state.queue.filter(function (q) {
      if (isStep(q) && (q.state === "conflict" || q.state === "rejected")) { return false; }  /* under conflicts */
      return q.state !== "sent" || isToday(q.queued_at);
    });
    if (!items.length) { return null; }
    return el("section", {"class": "field-queue"}, [
      el("h2", {text: T.queue_title}),
      el("ul", {"class": "field-list", id: "queue-list"}, items.map(function (entry) {
        var label = {waiting: T.queued, sending: T.sending, sent: T.sent,
          conflict: T.conflict, rejected: T.rejected}[entry.state];
        var codes = entry.result && entry.result.cases && entry.result.cases.length
          ? fmt(T.cases_opened, {codes: entry.result.cases.map(function (c) { return c.tracking_code; }).join(", ")}) : "";
        return el("li", {"class": "queue-item queue-" + entry.state, "data-id": entry.id, "data-state": entry.state}, [
          el("strong", {text: entry.place_name}), " ",
          el("span", {"class": "badge " + (entry.state === "sent" ? "badge-green" : entry.state === "waiting" ? "badge-muted" : "badge-red"), text: label}),
          entry.message ? el("p", {"class": "queue-message", text: entry.message}) : null,
          codes ? el("p", {"class": "muted", text: codes}) : null,
          entry.state === "conflict" || entry.state === "rejected" ? el("p", {"class": "actions"}, [
            entry.draft ? el("button", {type: "button", "class": "small secondary", onclick: function () { editAgain(entry); }, text: T.edit}) : null,
            el("button", {type: "button", "class": "small secondary", onclick: function () { retry(entry); }, text: T.retry}),
            el("button", {type: "button", "class": "small contrast outline", onclick: function () { discard(entry, "queue"); }, text: T.discard})
          ]) : null
        ]);
      }))
    ]);
  }

  function isToday(iso) { return (iso || "").slice(0, 10) === new Date().toISOString().slice(0, 10); }

  function listView() {
    var today = state.today;
    var drafts = state.drafts;
    var places = today ? today.places : [];
    return el("div", {}, [
      statusBar(),
      conflictList(),
      queueList(),
      drafts.length ? el("section", {}, [
        el("h2", {text: T.drafts}),
        el("ul", {"class": "field-list", id: "draft-list"}, drafts.map(function (d) {
          return el("li", {"data-id": d.id}, [
            el("a", {href: "#/visit/" + d.id, role: "button", "class": "small", text: T["continue"]}), " ",
            el("strong", {text: d.type === "case_step" ? stepLabel(d) : d.place_name}), " ",
            d.type === "case_step" ? null
              : el("small", {"class": "muted", text: fmt(T.answered, {n: Object.keys(d.answers).length, total: countItems(d)})})
          ]);
        }))
      ]) : null,
      el("p", {"class": "actions"}, [
        el("button", {type: "button", id: "download", "class": "secondary", onclick: download, text: T.download}),
        today ? el("small", {"class": "muted", text: " " + fmt(T.list_date, {date: today.date})}) : null
      ]),
      casesSection(),
      el("section", {}, [
        casesList().length ? el("h2", {text: T.places_title}) : null,
        !today ? el("p", {"class": "muted", text: T.no_list}) : null,
        today && !places.length ? el("p", {"class": "muted", text: T.no_places}) : null,
        el("ul", {"class": "field-list", id: "place-list"}, places.map(function (place) {
          return el("li", {"class": "field-place", "data-place": String(place.id)}, [
            el("button", {type: "button", "class": "small", onclick: function () { startVisit(place); }, text: T.start}), " ",
            el("strong", {text: place.name}), " ",
            el("span", {"class": "badge badge-muted", text: place.visit_kind === "patrol" ? T.patrol : T.supervisory}),
            el("br"),
            el("small", {"class": "muted", text: place.kind + " · " + place.region + " · " + place.address + " · " +
              (place.last_inspected_on ? fmt(T.last_inspected, {date: place.last_inspected_on}) : T.never_inspected)})
          ]);
        }))
      ])
    ]);
  }

  function checklistsOf(draft) {
    var all = (state.today && state.today.checklists) || {};
    return draft.checklists.map(function (key) { return all[key]; }).filter(Boolean);
  }

  function countItems(draft) {
    return checklistsOf(draft).reduce(function (n, c) {
      return n + c.sections.reduce(function (m, s) { return m + s.items.length; }, 0);
    }, 0);
  }

  function itemBlock(draft, checklist, item) {
    var key = checklist.key + "|" + item.code;
    var answer = draft.answers[key];
    var detail = el("div", {"class": "field-fail", hidden: !(answer && answer.result === "fail")});
    var photoStatus = el("small", {"class": "muted photo-status", "aria-live": "polite",
      text: answer && answer.photo ? fmt(T.photo_added, {kb: Math.round(answer.photo.size / 1024)}) : ""});

    function ensure() {
      if (!draft.answers[key]) {
        draft.answers[key] = {checklist: checklist.code, version: checklist.version, item_code: item.code,
          result: "pass", note: "", corrected_on_spot: false, photo: null};
      }
      return draft.answers[key];
    }
    var radios = ["pass", "fail", "na"].map(function (result) {
      return el("label", {"class": "field-choice"}, [
        el("input", {type: "radio", name: "r-" + key, value: result, checked: answer && answer.result === result,
          onchange: function () {
            ensure().result = result;
            detail.hidden = result !== "fail";
            saveDraft(draft);
            updateProgress(draft);
          }}),
        " " + T[result]
      ]);
    });
    detail.appendChild(el("label", {}, [T.note, el("textarea", {rows: "2", name: "note-" + key,
      oninput: function (e) { ensure().note = e.target.value; saveDraft(draft, true); }}, [answer ? answer.note : ""])]));
    detail.appendChild(el("label", {}, [el("input", {type: "checkbox", checked: answer && answer.corrected_on_spot,
      onchange: function (e) { ensure().corrected_on_spot = e.target.checked; saveDraft(draft); }}), " " + T.corrected]));
    detail.appendChild(el("label", {}, [T.photo, el("input", {type: "file", accept: "image/*", capture: "environment",
      "class": "photo-input", name: "photo-" + key,
      onchange: function (e) {
        var file = e.target.files[0];
        if (!file) { return; }
        window.FieldPhoto.resize(file).then(function (blob) {
          ensure().photo = blob;
          photoStatus.textContent = fmt(T.photo_added, {kb: Math.round(blob.size / 1024)});
          return saveDraft(draft);
        }, function () {
          photoStatus.textContent = T.photo_failed;
        });
      }})]));
    detail.appendChild(photoStatus);
    return el("li", {"class": "field-item", id: "item-" + item.code, "data-item": item.code}, [
      el("p", {}, [el("small", {"class": "muted", text: item.code + " "}), item.text]),
      el("div", {"class": "field-choices"}, radios),
      detail
    ]);
  }

  function updateProgress(draft) {
    var node = document.getElementById("visit-progress");
    if (node) { node.textContent = fmt(T.answered, {n: Object.keys(draft.answers).length, total: countItems(draft)}); }
  }

  function visitView(draft) {
    var lists = checklistsOf(draft);
    var locStatus = el("small", {"class": "muted", "aria-live": "polite", text: draft.lat ? T.location_done : ""});
    return el("div", {"class": "field-visit", "data-draft": draft.id}, [
      statusBar(),
      el("p", {}, [el("a", {href: "#/", text: "← " + T.back})]),
      el("h2", {text: draft.place_name}),
      el("p", {}, [el("small", {id: "visit-progress", "class": "muted"}), " ", el("small", {id: "draft-status", "class": "muted"})]),
      el("div", {}, lists.map(function (checklist) {
        return el("section", {"class": "field-checklist"}, [
          el("h3", {text: checklist.title})
        ].concat(checklist.sections.map(function (section) {
          return el("details", {open: true}, [
            el("summary", {text: section.title}),
            el("ol", {"class": "field-items"}, section.items.map(function (item) { return itemBlock(draft, checklist, item); }))
          ]);
        })));
      })),
      el("label", {}, [T.notes, el("textarea", {rows: "3", id: "visit-notes",
        oninput: function (e) { draft.notes = e.target.value; saveDraft(draft, true); }}, [draft.notes || ""])]),
      el("p", {"class": "actions"}, [
        el("button", {type: "button", "class": "secondary", onclick: function () {
          if (!navigator.geolocation) { locStatus.textContent = T.location_failed; return; }
          navigator.geolocation.getCurrentPosition(function (pos) {
            draft.lat = pos.coords.latitude;
            draft.lng = pos.coords.longitude;
            locStatus.textContent = T.location_done;
            saveDraft(draft);
          }, function () { locStatus.textContent = T.location_failed; }, {timeout: 15000, maximumAge: 60000});
        }, text: T.location}), " ", locStatus
      ]),
      el("p", {"class": "actions"}, [
        el("button", {type: "button", id: "finish", onclick: function () {
          var missing = countItems(draft) - Object.keys(draft.answers).length;
          if (missing > 0 && !window.confirm(fmt(T.unanswered, {n: missing}))) { return; }
          finish(draft);
        }, text: T.finish}), " ",
        el("button", {type: "button", "class": "contrast outline", onclick: function () {
          discard(draft, "drafts");
          location.hash = "#/";
        }, text: T.discard})
      ])
    ]);
  }

  function refresh() {
    if (/^#\/visit\//.test(location.hash)) { refreshStatus(); } else { render(); }
  }

  function render() {
    var stale = photoUrls.splice(0);  /* thumbnails of the view being replaced */
    var match = location.hash.match(/^#\/visit\/([\w-]+)/);
    var view;
    if (match) {
      var draft = state.drafts.filter(function (d) { return d.id === match[1]; })[0];
      view = !draft ? listView() : draft.type === "case_step" ? stepView(draft) : visitView(draft);
    } else {
      view = listView();
    }
    root.replaceChildren(view);
    stale.forEach(function (url) { URL.revokeObjectURL(url); });
    if (match) { updateProgress(state.drafts.filter(function (d) { return d.id === match[1]; })[0] || {answers: {}, checklists: []}); }
    root.dataset.ready = "1";
  }

  /* the status bar only, so typing in a checklist is never interrupted */
  function refreshStatus() {
    var bar = document.getElementById("field-status");
    if (bar) { bar.replaceWith(statusBar()); }
  }

  window.addEventListener("hashchange", render);
  window.addEventListener("online", function () { refreshStatus(); syncAll(); });
  window.addEventListener("offline", refreshStatus);
  setInterval(function () { if (navigator.onLine && waiting().length) { syncAll(); } }, 30000);

  window.FieldApp = {syncAll: syncAll, reload: function () { return load().then(render); }};
  load().then(function () {
    render();
    if (!state.today && navigator.onLine) { download(); }
    if (navigator.onLine) { syncAll(); }
  }, function () {
    root.replaceChildren(el("p", {"class": "msg msg-error", text: T.storage_missing}));
  });
})();
