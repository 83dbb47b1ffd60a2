// What the campaign view and the handheld share about a route: the road classes of
// the street file in the words of an enforcer (as the route sheets say them,
// src/bikes/bikes_words.c), and the depot marker where the routes start and end.

import L from './leaflet-global.js';

const KIND_NL = {
  residential: 'woonstraat', living_street: 'woonerf', pedestrian: 'voetgangersgebied',
  tertiary: 'buurtweg', secondary: 'wijkweg', primary: 'hoofdweg', unclassified: 'weg',
  service: 'ventweg', footway: 'voetpad', cycleway: 'fietspad',
};

export const kindName = (k) => KIND_NL[k] || k || 'straat';

// The campaign themes of config/themes/ as a coordinator or an enforcer says them, and
// what a stop is expected to hold; a theme not listed shows by its own name.
const THEMES = {
  bikes: { name: 'Weesfietsen', items: 'fietsen' },
  carwrecks: { name: 'Autowrakken', items: 'wrakken' },
  waste: { name: 'Afval naast containers', items: 'bijplaatsingen' },
};
export const themeName = (t) => (THEMES[t] || { name: t || 'bikes' }).name;
export const themeItems = (t) => (THEMES[t] || { items: 'stuks' }).items;

// Fills a <select> with the themes (value: the theme's file name) and shows it only
// when there is a choice.
export function fillThemes(select, themes, current, wrapper) {
  const list = themes && themes.length ? themes : [current];
  select.replaceChildren(...list.map((t) => {
    const o = document.createElement('option');
    o.value = t;
    o.textContent = themeName(t);
    return o;
  }));
  select.value = list.includes(current) ? current : list[0];
  (wrapper || select).hidden = list.length < 2;
}

// The plan's depot as a square "D" marker (class and test id per page), or null
// when the plan has none.
export function depotMarker(plan, cls, testid, size) {
  const d = plan && plan.depot;
  if (!d || !Number.isFinite(d.lat) || !Number.isFinite(d.lon)) return null;
  return L.marker([d.lat, d.lon], {
    icon: L.divIcon({ className: '', html: `<div class="${cls}" data-testid="${testid}">D</div>`, iconSize: [size, size] }),
    title: 'depot: start en einde van de routes',
    keyboard: false,
  });
}
