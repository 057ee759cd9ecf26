/* firegrid map: grids coloured by a KPI, point layers loaded by bbox; all built from the layer
   registry the page passes in #map-config (firegrid/dashboard/map_layers.py). No build step. */
(function () {
  "use strict";

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    return a;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var cfg = json("map-config");
    var t = json("map-strings") || {};
    var box = document.getElementById("fg-map");
    var status = document.getElementById("map-status");
    if (!window.L || !box || !cfg) return;

    // the viewport minus the site header; the bar above the map scrolls away on a phone
    function fitHeight() {
      var header = document.querySelector(".site-header");
      var h = window.innerHeight - (header ? header.offsetHeight : 0) - 12;
      box.style.height = Math.max(300, h) + "px";
    }
    fitHeight();

    var map = L.map(box, { zoomSnap: 0.5 });
    if (cfg.tile_url) L.tileLayer(cfg.tile_url, { maxZoom: 19 }).addTo(map);
    if (cfg.bounds) map.fitBounds(cfg.bounds, { padding: [6, 6] });
    else map.setView([28.96, 106.65], 11); // Qijiang
    window.addEventListener("resize", function () {
      fitHeight();
      map.invalidateSize();
    });

    var kpi = cfg.kpi;
    var notes = {};
    function showNotes() {
      status.textContent = Object.keys(notes)
        .map(function (k) { return notes[k]; })
        .filter(Boolean)
        .join(" ");
    }

    function labelled(def, prop, value) {
      var labels = (def.value_labels || {})[prop] || {};
      var key = String(value);
      return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : value;
    }

    function pointPopup(def, feature) {
      var p = feature.properties || {};
      var wrap = el("div", "fg-popup");
      wrap.appendChild(el("strong", null, p[def.title] || p.name || ""));
      if (def.title !== "name" && p.name && p.name !== p[def.title]) wrap.appendChild(el("div", null, p.name));
      var dl = el("dl");
      (def.popup || []).forEach(function (row) {
        var value = p[row[0]];
        if (value === null || value === undefined || value === "") return;
        dl.appendChild(el("dt", null, row[1]));
        dl.appendChild(el("dd", null, labelled(def, row[0], value)));
      });
      wrap.appendChild(dl);
      var url = p.url || (def.link && feature.id != null ? def.link.replace("{id}", feature.id) : null);
      if (url) wrap.appendChild(link(url, t.open));
      return wrap;
    }

    function gridPopup(feature, kpiInfo) {
      var p = feature.properties || {};
      var wrap = el("div", "fg-popup");
      wrap.appendChild(el("strong", null, p.name));
      var dl = el("dl");
      dl.appendChild(el("dt", null, kpiInfo.label));
      dl.appendChild(el("dd", null, p.value === null ? t.no_data : p.value + (kpiInfo.unit || "")));
      wrap.appendChild(dl);
      var q = "?region=" + encodeURIComponent(p.code);
      if (cfg.dashboard_url) wrap.appendChild(link(cfg.dashboard_url + q, t.command_view));
      if (cfg.map_url) wrap.appendChild(link(cfg.map_url + q + "&kpi=" + encodeURIComponent(kpi), t.zoom_in));
      return wrap;
    }

    // the legend of the grid colours
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = el("div", "fg-legend");
      div.id = "map-legend";
      return div;
    };
    legend.addTo(map);
    function drawLegend(data) {
      var div = document.getElementById("map-legend");
      div.textContent = "";
      div.appendChild(el("strong", null, data.kpi.label));
      (data.legend || []).forEach(function (row) {
        var line = el("div");
        var swatch = el("i");
        swatch.style.background = row.colour;
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(row.label));
        div.appendChild(line);
      });
    }

    var layers = {};
    cfg.layers.forEach(function (def) {
      var layer = { def: def, controller: null };
      if (def.kind === "grids") {
        var kpiInfo = { label: "", unit: "" };
        layer.group = L.geoJSON(null, {
          style: function (f) {
            return {
              color: "#37474f", weight: 1.5, fillColor: f.properties.colour, fillOpacity: 0.55, className: "fg-grid",
            };
          },
          onEachFeature: function (f, lyr) {
            lyr.bindPopup(function () { return gridPopup(f, kpiInfo); });
          },
        });
        layer.query = function () {
          return "region=" + encodeURIComponent(cfg.region) + "&kpi=" + encodeURIComponent(kpi);
        };
        layer.loaded = function (data) {
          kpiInfo.label = data.kpi.label;
          kpiInfo.unit = data.kpi.unit;
          drawLegend(data);
          layer.group.bringToBack();
        };
      } else {
        var style = def.style || {};
        layer.group = L.geoJSON(null, {
          pointToLayer: function (f, latlng) {
            var colours = style.colours || {};
            var value = (f.properties || {})[style.colour_by];
            return L.circleMarker(latlng, {
              radius: style.radius || 6,
              color: "#ffffff",
              weight: 1.5,
              fillColor: colours[value] || style.fallback || "#607d8b",
              fillOpacity: 0.95,
              className: "fg-marker fg-" + def.name,
            });
          },
          onEachFeature: function (f, lyr) {
            lyr.bindPopup(function () { return pointPopup(def, f); });
          },
        });
        layer.query = function () {
          var params = new URLSearchParams(def.params || {});
          params.set("bbox", map.getBounds().toBBoxString());
          return params.toString();
        };
        layer.loaded = function () {};
      }
      layers[def.name] = layer;
    });

    function load(layer) {
      if (layer.controller) layer.controller.abort();
      var controller = window.AbortController ? new AbortController() : null;
      layer.controller = controller;
      var sep = layer.def.url.indexOf("?") < 0 ? "?" : "&";
      notes[layer.def.name] = "";
      fetch(layer.def.url + sep + layer.query(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (data) {
          if (!map.hasLayer(layer.group)) return;
          layer.group.clearLayers();
          layer.group.addData(data);
          layer.loaded(data);
          notes[layer.def.name] = data.truncated
            ? format(t.truncated, { layer: layer.def.label, n: data.features.length })
            : "";
          box.setAttribute("data-loaded-" + layer.def.name, String(data.features.length));
          showNotes();
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") return;
          notes[layer.def.name] = layer.def.label + ": " + t.failed;
          showNotes();
        });
    }

    function setOn(name, on) {
      var layer = layers[name];
      if (!layer) return;
      if (on) {
        layer.group.addTo(map);
        load(layer);
      } else {
        if (layer.controller) layer.controller.abort();
        map.removeLayer(layer.group);
        layer.group.clearLayers();
        notes[name] = "";
        showNotes();
      }
    }

    document.querySelectorAll("#map-layers input[data-layer]").forEach(function (input) {
      setOn(input.dataset.layer, input.checked);
      input.addEventListener("change", function () { setOn(input.dataset.layer, input.checked); });
    });

    var timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        Object.keys(layers).forEach(function (name) {
          var layer = layers[name];
          if (layer.def.kind !== "grids" && map.hasLayer(layer.group)) load(layer);
        });
      }, 250);
    });

    // the KPI recolours the grids in place; another region is another page
    var kpiSelect = document.getElementById("map-kpi");
    if (kpiSelect) {
      kpiSelect.addEventListener("change", function () {
        kpi = kpiSelect.value;
        var url = new URL(window.location.href);
        url.searchParams.set("kpi", kpi);
        url.searchParams.set("region", cfg.region);
        window.history.replaceState(null, "", url.toString());
        if (layers.grids && map.hasLayer(layers.grids.group)) load(layers.grids);
      });
    }
    var regionSelect = document.getElementById("map-region");
    if (regionSelect) {
      regionSelect.addEventListener("change", function () {
        document.getElementById("map-form").submit();
      });
    }
  });
})();
