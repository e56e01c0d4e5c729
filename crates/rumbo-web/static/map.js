// Rumbo's maps. Every element with a `data-map` attribute becomes a Leaflet map, drawn from
// the API's GeoJSON layers named in its data attributes:
//   data-areas      admin boundaries (styled by level, tooltip with name and P-code)
//   data-context    an outline drawn around them (the area a page is about), not filled
//   data-locations  locations, as circle markers coloured by type, with a legend and popups
//   data-point      "lat,lon" of one location, as a marker
//   data-lang       the reader's language, to pick ADM1_ES / ADM1_EN / ADM1_PT names
//   data-labels     JSON of the words shown (legend, popups), from the message catalogue
// There is no tile layer: Rumbo runs offline, so polygons lie on a plain background. When the
// layers are drawn the element gets data-loaded="true" ("error" if a layer failed), which
// browser tests wait for. Text from the data is always set as text, never as HTML.
(function () {
  'use strict';

  // One colour per location type; the legend shows the same.
  var KIND_COLOURS = {
    flow_monitoring_point: '#e6a100',
    border_crossing: '#b3261e',
    site: '#1e7b34',
    support_space: '#7b3fa0',
    service_point: '#0b5d8c',
    registration_desk: '#4a4a4a'
  };
  var LEVEL_STYLES = {
    1: { color: '#0b5d8c', weight: 2, fillColor: '#0b5d8c', fillOpacity: 0.08 },
    2: { color: '#3d7ea6', weight: 1.2, fillColor: '#3d7ea6', fillOpacity: 0.06 },
    3: { color: '#6b9dbd', weight: 0.8, fillColor: '#6b9dbd', fillOpacity: 0.05 }
  };
  var CONTEXT_STYLE = { color: '#1d2733', weight: 2.5, dashArray: '6 4', fill: false, interactive: false };
  // South America, for a map with nothing on it yet.
  var DEFAULT_VIEW = { center: [-8, -66], zoom: 3 };

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  function fetchLayer(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/geo+json' } })
      .then(function (response) {
        if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
        return response.json();
      });
  }

  function areaLevel(props) {
    return Number(props.admin_level) || 1;
  }

  function areaName(props, lang) {
    var n = areaLevel(props);
    var keys = [lang.toUpperCase(), 'ES', 'EN', 'PT'];
    for (var i = 0; i < keys.length; i++) {
      var name = props['ADM' + n + '_' + keys[i]];
      if (name) return name;
    }
    return '';
  }

  function areaPcode(props) {
    return props['ADM' + areaLevel(props) + '_PCODE'] || '';
  }

  function areasLayer(data, lang) {
    return L.geoJSON(data, {
      style: function (feature) {
        return LEVEL_STYLES[areaLevel(feature.properties)] || LEVEL_STYLES[1];
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        var tip = element('span');
        tip.appendChild(element('strong', null, areaName(props, lang)));
        tip.appendChild(document.createTextNode(' · ' + areaPcode(props)));
        layer.bindTooltip(tip, { sticky: true });
        layer.on('click', function () {
          window.location.href = '/geography/areas/' + encodeURIComponent(areaPcode(props));
        });
      }
    });
  }

  function popup(props, labels) {
    var box = element('div', 'map-popup');
    box.appendChild(element('strong', null, props.name));
    var kinds = labels.kinds || {};
    var rows = [
      [labels.type, kinds[props.kind] || props.kind],
      [labels.code, props.code],
      [labels.areas, [props.adm1_pcode, props.adm2_pcode, props.adm3_pcode].filter(Boolean).join(' › ')]
    ];
    rows.forEach(function (row) {
      if (!row[1]) return;
      var line = element('div');
      line.appendChild(element('span', 'muted', row[0] + ': '));
      line.appendChild(document.createTextNode(row[1]));
      box.appendChild(line);
    });
    if (props.id !== undefined) {
      var link = element('a', null, labels.open || 'Open');
      link.href = '/locations/' + encodeURIComponent(props.id);
      box.appendChild(link);
    }
    return box;
  }

  function locationsLayer(data, labels) {
    return L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var colour = KIND_COLOURS[feature.properties.kind] || '#333';
        return L.circleMarker(latlng, {
          radius: 6, color: '#fff', weight: 1.5, fillColor: colour, fillOpacity: 0.95
        });
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(popup(feature.properties || {}, labels));
        layer.bindTooltip(element('span', null, feature.properties.name));
      }
    });
  }

  function legend(labels, kindsShown) {
    var control = L.control({ position: 'bottomright' });
    control.onAdd = function () {
      var box = element('div', 'leaflet-control map-legend');
      box.appendChild(element('strong', null, labels.legend));
      Object.keys(KIND_COLOURS).forEach(function (kind) {
        if (!kindsShown[kind]) return;
        var row = element('div', 'map-legend-row');
        var swatch = element('span', 'map-legend-swatch');
        swatch.style.background = KIND_COLOURS[kind];
        row.appendChild(swatch);
        row.appendChild(document.createTextNode((labels.kinds || {})[kind] || kind));
        box.appendChild(row);
      });
      return box;
    };
    return control;
  }

  function message(map, text) {
    var control = L.control({ position: 'topright' });
    control.onAdd = function () {
      return element('div', 'leaflet-control map-message', text);
    };
    control.addTo(map);
  }

  function draw(el) {
    var labels = {};
    try {
      labels = JSON.parse(el.dataset.labels || '{}');
    } catch (e) {
      labels = {};
    }
    var lang = el.dataset.lang || 'es';
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    map.setView(DEFAULT_VIEW.center, DEFAULT_VIEW.zoom);
    var wanted = [
      ['context', el.dataset.context],
      ['areas', el.dataset.areas],
      ['locations', el.dataset.locations]
    ].filter(function (pair) { return pair[1]; });

    Promise.all(wanted.map(function (pair) { return fetchLayer(pair[1]); }))
      .then(function (results) {
        var bounds = L.latLngBounds([]);
        var drawn = 0;
        results.forEach(function (data, i) {
          var kind = wanted[i][0];
          var layer;
          if (kind === 'areas') layer = areasLayer(data, lang);
          else if (kind === 'context') layer = L.geoJSON(data, { style: CONTEXT_STYLE });
          else layer = locationsLayer(data, labels);
          layer.addTo(map);
          var count = (data.features || []).length;
          drawn += count;
          if (count > 0) bounds.extend(layer.getBounds());
          if (kind === 'locations' && count > 0) {
            var shown = {};
            data.features.forEach(function (f) { shown[f.properties.kind] = true; });
            legend(labels, shown).addTo(map);
          }
        });
        if (el.dataset.point) {
          var parts = el.dataset.point.split(',').map(Number);
          if (parts.length === 2 && isFinite(parts[0]) && isFinite(parts[1])) {
            L.marker(parts).addTo(map);
            bounds.extend(parts);
            drawn += 1;
          }
        }
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [16, 16], maxZoom: 11 });
        }
        if (drawn === 0 && labels.empty) message(map, labels.empty);
        el.dataset.loaded = 'true';
      })
      .catch(function (error) {
        message(map, labels.failed || 'The map layers could not be loaded.');
        el.dataset.loaded = 'error';
        if (window.console) console.error(error);
      });
  }

  function start() {
    if (typeof L === 'undefined') return;
    document.querySelectorAll('[data-map]').forEach(draw);
    // The map page's choices apply as soon as they change.
    var controls = document.getElementById('map-controls');
    if (controls) {
      controls.querySelectorAll('select').forEach(function (select) {
        select.addEventListener('change', function () { controls.submit(); });
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
