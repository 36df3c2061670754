// Plain list pages (notices, commitments): a table from one API list.
import { api, chooseAgreement, el, formatTime, showError, t } from "./common.js";

/** Fill #table with the columns `columnsFor(agreement)` gives ([key, cell(row)]) for `path`. */
export async function listPage(path, columnsFor) {
  const box = document.getElementById("table");
  try {
    const agreement = await chooseAgreement();
    const columns = columnsFor(agreement);
    const query = new URLSearchParams(agreement ? { agreement: agreement.id } : {});
    const data = await api(`${path}?${query}`);
    const rows = Array.isArray(data) ? data : (data.items ?? []);
    box.replaceChildren(rows.length ? el("table", {},
      el("thead", {}, el("tr", {}, columns.map(([key]) => el("th", {}, t(key))))),
      el("tbody", {}, rows.map((row) => el("tr", {}, columns.map(([, cell]) => el("td", {}, cell(row) ?? "–"))))))
      : el("p", { class: "status" }, t("nothing_yet")));
  } catch (error) {
    box.replaceChildren(el("p", { class: "status", id: "status" }, `${t("error")}: ${error.message}`));
    showError(error);
  }
  document.body.dataset.ready = "true";
}

export const when = (value) => (value ? formatTime(value) : "–");
