/* Hazard report forms (public /report/ and staff /hazards/new/): photo first (made smaller on the
   phone), location from the phone or from the photo's EXIF GPS, the anonymous switch, categories
   suggested for the place's kind (without a place code: the nearest registered place's kind), and
   nearby open cases of the same category ("is it one of these?") with "me too". */
(function () {
  "use strict";
  var form = document.querySelector("form[data-report-form]");
  if (!form) { return; }
  var T = JSON.parse(document.getElementById("report-strings").textContent);
  var d = form.dataset;
  var lat = document.getElementById(d.latId);
  var lng = document.getElementById(d.lngId);
  var photos = document.getElementById(d.photosId);
  var placeInput = d.placeInputId ? document.getElementById(d.placeInputId) : null;
  var box = document.getElementById("nearby");
  var status = document.getElementById("location-status");
  var timer = null;

  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key.slice(0, 2) === "on") { node.addEventListener(key.slice(2), attrs[key]); }
      else if (attrs[key] !== null && attrs[key] !== undefined) { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }

  function say(text) { if (status) { status.textContent = text; } }

  /* the anonymous switch hides the contact fields */
  var anonymous = document.getElementById(d.anonymousId || "");
  var contact = document.getElementById("contact-fields");
  if (anonymous && contact) {
    var syncContact = function () { contact.hidden = anonymous.checked; };
    anonymous.addEventListener("change", syncContact);
    syncContact();
  }

  /* location from the phone */
  var button = document.getElementById("use-location");
  if (button && lat && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      say(T.finding);
      button.setAttribute("aria-busy", "true");
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        button.removeAttribute("aria-busy");
        say(T.found + " ±" + Math.round(position.coords.accuracy) + " m");
        located();
      }, function () {
        button.removeAttribute("aria-busy");
        say(T.unavailable);
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  /* Photos: first the location from the photo's EXIF GPS (the canvas below drops EXIF; the server
     strips it from what it stores anyway), then each photo made smaller on the phone and put back
     into the file input, so the form posts ~300 KB instead of a 6 MB camera file. Without
     JavaScript, or where a file input cannot be refilled (no DataTransfer), the originals go and the
     server scales them. */
  var photoStatus = document.getElementById("photo-status");
  var preparing = null;

  function photoSay(text) { if (photoStatus) { photoStatus.textContent = text; } }

  function locateFromPhotos(files) {
    if (!lat || !lng || (lat.value && lng.value)) { return Promise.resolve(); }
    return files.reduce(function (found, file) {
      return found.then(function (gps) { return gps || window.FieldPhoto.exifGps(file); });
    }, Promise.resolve(null)).then(function (gps) {
      if (gps && !(lat.value && lng.value)) {
        lat.value = gps.lat;
        lng.value = gps.lng;
        say(T.from_photo);
        located();
      }
    });
  }

  function canRefill() {
    try { return typeof DataTransfer === "function" && !!new DataTransfer().items; } catch (e) { return false; }
  }

  function shrinkPhotos(files) {
    if (!canRefill()) { return Promise.resolve(); }
    photoSay(T.photos_working);
    return Promise.all(files.map(function (file) {
      return window.FieldPhoto.shrink(file)["catch"](function () { return file; });  /* not an image: the server says so */
    })).then(function (smaller) {
      if (photos.files.length !== files.length || Array.prototype.some.call(photos.files, function (f, i) { return f !== files[i]; })) {
        return;  /* the user picked other photos meanwhile: their own change handles them */
      }
      var changed = smaller.some(function (file, i) { return file !== files[i]; });
      if (changed) {
        var transfer = new DataTransfer();
        smaller.forEach(function (file) { transfer.items.add(file); });
        photos.files = transfer.files;
      }
      var bytes = smaller.reduce(function (sum, file) { return sum + file.size; }, 0);
      photoSay(fmt(T.photos_ready, {n: smaller.length, kb: Math.round(bytes / 1024)}));
    });
  }

  if (photos && window.FieldPhoto) {
    photos.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photos.files || []);
      if (!files.length) { photoSay(""); return; }
      var job = locateFromPhotos(files).then(function () { return shrinkPhotos(files); })["catch"](function () {});
      preparing = job;
      job.then(function () { if (preparing === job) { preparing = null; } });
    });
    /* sent before the photos are ready: wait for them, then send */
    form.addEventListener("submit", function (event) {
      if (!preparing) { return; }
      event.preventDefault();
      var submitter = event.submitter || null;
      preparing.then(function () {
        preparing = null;
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      });
    });
  }

  /* Without a place code: once there is a location, the nearest registered place suggests the
     categories common at its kind (/report/suggest/). A choice the user made is never changed. */
  var suggestBox = document.getElementById("category-suggestion");
  var suggestedAt = "";
  var autoChosen = null;

  function clearSuggested() {
    Array.prototype.forEach.call(form.querySelectorAll(".suggested-here"), function (badge) { badge.remove(); });
  }

  function applySuggestion(data) {
    clearSuggested();
    var codes = (data.categories || []).map(function (c) { return c.code; });
    var radios = codes.map(function (code) {
      return form.querySelector("input[name=category][value='" + code + "']");
    }).filter(Boolean);
    radios.forEach(function (radio) {
      var title = radio.parentNode.querySelector("strong");
      if (title) {
        title.parentNode.insertBefore(el("span", {"class": "badge badge-orange suggested-here", text: T.common_here}), title.nextSibling);
        title.parentNode.insertBefore(document.createTextNode(" "), title.nextSibling);
      }
    });
    var checked = form.querySelector("input[name=category]:checked");
    if (radios.length && (!checked || (autoChosen && checked.value === autoChosen))) {
      radios[0].checked = true;
      autoChosen = radios[0].value;
      lookup();
    }
    if (suggestBox) {
      suggestBox.textContent = !radios.length ? "" : data.place && data.place.name
        ? fmt(T.suggested_from, {place: data.place.name}) : T.suggested_nearby;
    }
  }

  function suggestCategory() {
    if (!d.suggestUrl || d.place || !lat || !lat.value || !lng.value) { return; }
    var at = lat.value + "," + lng.value;
    if (at === suggestedAt) { return; }
    suggestedAt = at;
    var params = new URLSearchParams({lat: lat.value, lng: lng.value});
    fetch(d.suggestUrl + "?" + params.toString(), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && at === suggestedAt) { applySuggestion(data); } }, function () { /* offline */ });
  }

  function located() {
    suggestCategory();
    lookup();
  }

  function category() {
    var checked = form.querySelector("input[name=category]:checked");
    if (checked) { return checked.value; }
    var select = form.querySelector("select[name=category]");
    return select ? select.value : "";
  }

  function query() {
    var params = new URLSearchParams();
    var place = d.place || (placeInput ? placeInput.value.trim() : "");
    if (place) { params.set("place", place); }
    else if (lat && lat.value && lng.value) { params.set("lat", lat.value); params.set("lng", lng.value); }
    else { return null; }
    if (category()) { params.set("category", category()); }
    return params;
  }

  function lookup() {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  }

  function meToo(item) {
    var contactValue = function (name) {
      var input = form.querySelector("[name=" + name + "]");
      return input && !(anonymous && anonymous.checked) ? input.value : "";
    };
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var post = el("form", {method: "post", action: d.meTooUrl.replace("0", String(item.id)), hidden: "hidden"}, [
      el("input", {type: "hidden", name: "csrfmiddlewaretoken", value: token}),
      el("input", {type: "hidden", name: "name", value: contactValue("reporter_name")}),
      el("input", {type: "hidden", name: "phone", value: contactValue("reporter_phone")}),
      el("input", {type: "hidden", name: "email", value: contactValue("reporter_email")}),
      el("input", {type: "hidden", name: "note", value: (form.querySelector("[name=description]") || {}).value || ""})
    ]);
    document.body.appendChild(post);
    post.submit();
  }

  function suggest(ids) {
    var select = form.querySelector("select[name=category]");
    if (!select || !ids.length) { return; }
    var wanted = ids.map(function (c) { return String(c.id); });
    Array.prototype.forEach.call(select.options, function (option) {
      if (wanted.indexOf(option.value) >= 0 && option.textContent.indexOf("★") !== 0) {
        option.textContent = "★ " + option.textContent;
      }
    });
    if (!select.value) { select.value = wanted[0]; lookup(); }
  }

  function show(data) {
    suggest(data.suggested_categories || []);
    box.replaceChildren();
    if (!data.cases || !data.cases.length) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el("h2", {text: T.title}));
    box.appendChild(el("p", {"class": "muted", text: fmt(T.intro, {m: data.radius_m})}));
    box.appendChild(el("ul", {"class": "nearby-list"}, data.cases.map(function (item) {
      return el("li", {"class": "nearby-case", "data-id": String(item.id)}, [
        el("strong", {text: item.category}), " ",
        el("span", {"class": "badge " + (item.status_class || "badge-muted"), text: item.status}), " ",
        el("small", {"class": "muted", text: fmt(T.distance, {m: item.distance_m, date: item.reported_on})}),
        el("p", {text: item.description}),
        d.staff ? el("a", {href: item.url, text: fmt(T.open_case, {code: item.tracking_code})})
          : el("button", {type: "button", "class": "secondary small me-too", onclick: function () { meToo(item); }, text: T.me_too})
      ]);
    })));
    box.appendChild(el("p", {"class": "muted", text: T.otherwise}));
  }

  function run() {
    var params = query();
    if (!params || !box) { return; }
    fetch(d.nearbyUrl + "?" + params.toString(), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } }, function () { /* offline: no suggestions */ });
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "category" && event.isTrusted) { autoChosen = null; }  /* the user's own choice */
    if (name === "lat" || name === "lng") { suggestCategory(); }
    if (name === "category" || name === "lat" || name === "lng" || name === "place_code") { lookup(); }
  });
  suggestCategory();
  lookup();
})();
