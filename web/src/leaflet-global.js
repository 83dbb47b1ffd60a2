// leaflet.markercluster is a UMD script that extends the global `L`; give it one
// before it is evaluated (ES modules are evaluated in import order).
import L from 'leaflet';

window.L = L;
export default L;
