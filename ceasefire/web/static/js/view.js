// The map's view as URL query parameters, so a view can be shared and restored on load.

/** Filter keys kept in the URL; lists are comma-separated. */
export const VIEW_KEYS = ["type", "party", "clause", "state", "breaches", "from", "to", "day"];

/** The view in the page's URL: {type: [...], party, clause, state: [...], breaches, from, to, day}. */
export function readView(search = location.search) {
  const query = new URLSearchParams(search);
  const list = (key) => (query.get(key) ? query.get(key).split(",").filter(Boolean) : []);
  return {
    type: list("type"),
    party: query.get("party") || null,
    clause: query.get("clause") || null,
    state: list("state"),
    breaches: query.get("breaches") === "1",
    from: query.get("from") || null,
    to: query.get("to") || null,
    day: query.get("day") || null,
  };
}

/** Put `view` into the URL (replacing, not adding, a history entry); other parameters stay. */
export function writeView(view) {
  const url = new URL(location.href);
  for (const key of VIEW_KEYS) url.searchParams.delete(key);
  const set = (key, value) => { if (value) url.searchParams.set(key, value); };
  set("type", view.type.join(","));
  set("party", view.party);
  set("clause", view.clause);
  set("state", view.state.join(","));
  set("breaches", view.breaches ? "1" : null);
  set("from", view.from);
  set("to", view.to);
  set("day", view.day);
  history.replaceState(null, "", url.pathname + url.search + url.hash);
}

/** A mask (1 = shown) of the incidents of the API's map columns passing the view's filters. */
export function filterMask(data, view) {
  const n = data.n;
  const mask = new Uint8Array(n);
  const types = new Set(view.type.map((name) => data.types.indexOf(name)));
  const states = new Set(view.state.map((name) => data.states.indexOf(name)));
  const party = view.party ? data.parties.indexOf(view.party) : null;
  for (let i = 0; i < n; i++) {
    if (types.size && !types.has(data.type[i])) continue;
    if (states.size && !states.has(data.state[i])) continue;
    if (party !== null && data.party[i] !== party) continue;
    if (view.breaches && data.breach[i] !== 1) continue;
    if (view.clause && !(data.clauses[String(i)] ?? []).includes(view.clause)) continue;
    mask[i] = 1;
  }
  return mask;
}
