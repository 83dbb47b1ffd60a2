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

// What an enforcer looks for at a stop: the street's name, else its road class and
// the nearest named street ("voetpad bij Vismarkt", as the sheets say it), else null.
export const streetLabel = (s) => s.name || (s.near ? `${kindName(s.kind)} bij ${s.near}` : null);

// What a stop of a campaign theme is expected to hold; a theme not listed counts
// "stuks". (The themes' titles come from config/themes/ through the plan.)
const ITEMS = { bikes: 'fietsen', carwrecks: 'wrakken', waste: 'bijplaatsingen' };
export const themeItems = (t) => ITEMS[t] || 'stuks';

// Fills a <select> with the plan's themes ([{name, title}]; value: the name) and shows
// it only when there is a choice.
export function fillThemes(select, themes, current, wrapper) {
  const list = themes && themes.length ? themes : [{ name: current, title: current }];
  select.replaceChildren(...list.map((t) => {
    const o = document.createElement('option');
    o.value = t.name;
    o.textContent = t.title || t.name;
    return o;
  }));
  select.value = list.some((t) => t.name === current) ? current : list[0].name;
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
