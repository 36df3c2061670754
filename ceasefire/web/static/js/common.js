// What every page shares: language, API calls with the session's token, the agreement picker.
import { EVENT_TYPES, STRINGS, pageLanguage, translated } from "./i18n.js";

const TOKEN_KEY = "ceasefire.token";

export const lang = pageLanguage(document.documentElement.lang);
localStorage.setItem("ceasefire.lang", lang);

/** The string for `key` in the page's language (English, then the key, as fallbacks). */
export function t(key) {
  return STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
}

export function eventTypeLabel(type) {
  return EVENT_TYPES[lang][type] ?? EVENT_TYPES.en[type] ?? type;
}

export function stateLabel(state) {
  return t(`state_${state}`);
}

/** Translate every element carrying data-i18n="key" (and data-i18n-title, -aria-label). */
export function applyI18n(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const attr of ["title", "aria-label", "placeholder"]) {
    for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      node.setAttribute(attr, t(node.getAttribute(`data-i18n-${attr}`)));
    }
  }
}

/** The agreement's title in the page's language (its translations block, else as written). */
export function agreementTitle(agreement) {
  return translated(agreement, lang, "title", undefined, agreement?.title ?? agreement?.id);
}

/** Make an element: el("td", {class: "x"}, "text", child…). Text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body?.error ?? {};
    super(detail.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = detail.code;
  }
}

/** GET (or POST with `body`) a JSON API path with the session's bearer token. */
export async function api(path, { body, method } = {}) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Every item of a paginated list ({items, next}), following the cursor. */
export async function apiAll(path, params = {}) {
  const items = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ ...params, limit: "10000" });
    if (cursor) query.set("cursor", cursor);
    const page = await api(`${path}?${query}`);
    if (Array.isArray(page)) return page; // an unpaginated list
    items.push(...(page.items ?? page.features ?? []));
    cursor = page.next ?? null;
  } while (cursor);
  return items;
}

/** Format an ISO time as "2015-02-15 06:30 UTC" (the day alone at day precision). */
export function formatTime(iso, precision) {
  if (!iso) return "–";
  const text = new Date(iso).toISOString();
  if (["day", "week", "month", "year"].includes(precision)) return text.slice(0, 10);
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

/** The agreement the user picked (kept per browser), after filling the picker. */
export async function chooseAgreement() {
  const select = document.getElementById("agreement");
  let agreements = [];
  try {
    agreements = await api("/api/agreements");
  } catch (error) {
    showError(error);
  }
  const saved = new URLSearchParams(location.search).get("agreement")
    ?? localStorage.getItem("ceasefire.agreement");
  select.replaceChildren(...agreements.map((a) => el("option", { value: a.id }, agreementTitle(a))));
  const chosen = agreements.find((a) => a.id === saved) ?? agreements[0];
  if (chosen) select.value = chosen.id;
  select.addEventListener("change", () => {
    localStorage.setItem("ceasefire.agreement", select.value);
    location.reload();
  });
  return chosen ?? null;
}

/** A party's name from the agreement (its id when unknown). */
export function partyName(agreement, id) {
  if (!id) return "–";
  const name = agreement?.parties?.find((p) => p.id === id)?.name ?? id;
  return translated(agreement, lang, "parties", id, name);
}

export function showError(error) {
  const status = document.getElementById("status");
  const text = `${t("error")}: ${error.message}`;
  if (status) status.textContent = text;
  console.error(error);
}

/** Who this session is: {role, party} from GET /api/me (public when that fails). */
export const me = api("/api/me").catch(() => ({ role: "public", party: null }));

async function showRole() {
  const badge = document.getElementById("role");
  const who = await me;
  const role = t(`role_${who.role}`);
  badge.textContent = who.party ? `${role} · ${who.party}` : role;
  badge.dataset.role = who.role;
}

/** Check `token` against GET /api/me; store it for this tab's session when accepted. */
export async function signIn(token) {
  const response = await fetch("/api/me", { headers: { Accept: "application/json", Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(t("sign_in_refused"));
  sessionStorage.setItem(TOKEN_KEY, token);
  return response.json();
}

/** The sign-in form: a token field (never echoed), sign in, sign out, cancel. */
function signInDialog() {
  const input = el("input", { id: "token-input", type: "password", name: "token", autocomplete: "current-password",
    required: true, placeholder: t("token_placeholder") });
  const out = el("p", { class: "status", id: "sign-in-status", role: "status" });
  const signOut = el("button", { type: "button", id: "sign-out", hidden: !sessionStorage.getItem(TOKEN_KEY) }, t("sign_out"));
  const cancel = el("button", { type: "button", class: "secondary" }, t("cancel"));
  const form = el("form", { method: "dialog", id: "sign-in-form" },
    el("h2", {}, t("sign_in_title")),
    el("label", { for: "token-input" }, t("token_label")), input,
    el("p", { class: "muted" }, t("token_note")), out,
    el("div", { class: "dialog-buttons" }, el("button", { type: "submit", id: "sign-in-submit" }, t("sign_in_submit")), signOut, cancel));
  const dialog = el("dialog", { id: "sign-in-dialog" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.textContent = "";
    try {
      await signIn(input.value.trim());
      location.reload();
    } catch (error) {
      out.textContent = error.message;
    }
  });
  signOut.addEventListener("click", () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); });
  cancel.addEventListener("click", () => dialog.close());
  document.body.append(dialog);
  return dialog;
}

function openSignIn() {
  const dialog = document.getElementById("sign-in-dialog") ?? signInDialog();
  dialog.showModal();
  dialog.querySelector("input").focus();
}

function wireChrome() {
  applyI18n();
  for (const link of document.querySelectorAll(".lang a")) {
    const url = new URL(location.href);
    url.searchParams.set("lang", link.dataset.lang);
    link.href = url.pathname + url.search;
  }
  for (const link of document.querySelectorAll("nav a")) link.href += `?lang=${lang}`;
  document.getElementById("sign-in").addEventListener("click", openSignIn);
  showRole();
}

wireChrome();
