// The corridors map of the flow dashboard: lines from previous point to next destination,
// thicker for more people, drawn with the vendored Leaflet from the GeoJSON of
// data-corridors. Like map.js, no tiles (Rumbo runs offline); the element gets
// data-loaded="true" once drawn ("error" if the layer failed). Text is set as text.
(function () {
  'use strict';
  function draw(el) {
    var labels = {};
    try { labels = JSON.parse(el.dataset.labels || '{}'); } catch (e) { labels = {}; }
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    map.setView([-8, -66], 3);
    fetch(el.dataset.corridors, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (data) {
        var max = 1;
        (data.features || []).forEach(function (f) { max = Math.max(max, f.properties.people || 0); });
        var layer = L.geoJSON(data, {
          style: function (f) {
            return { color: '#b3261e', opacity: 0.75, weight: 1.5 + 8 * (f.properties.people || 0) / max };
          },
          onEachFeature: function (f, line) {
            var tip = document.createElement('span');
            tip.textContent = f.properties.from + ' → ' + f.properties.to + ': ' + f.properties.people;
            line.bindTooltip(tip, { sticky: true });
          }
        }).addTo(map);
        if ((data.features || []).length > 0) {
          map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 9 });
        } else if (labels.empty) {
          var control = L.control({ position: 'topright' });
          control.onAdd = function () {
            var box = document.createElement('div');
            box.className = 'leaflet-control map-message';
            box.textContent = labels.empty;
            return box;
          };
          control.addTo(map);
        }
        el.dataset.loaded = 'true';
      })
      .catch(function (error) {
        el.dataset.loaded = 'error';
        if (window.console) console.error(error);
      });
  }
  function start() {
    if (typeof L === 'undefined') return;
    document.querySelectorAll('[data-flow-map]').forEach(draw);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
