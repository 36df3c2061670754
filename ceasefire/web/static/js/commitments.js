// Commitments and milestones: who must do what by when, and where it stands.
import { el, partyName, t } from "./common.js";
import { listPage, when } from "./tables.js";

listPage("/api/commitments", (agreement) => [
  ["commitment", (c) => [el("strong", {}, c.what ?? c.title ?? c.id), el("br"), el("code", {}, c.id)]],
  ["responsible", (c) => partyName(agreement, c.party)],
  ["category", (c) => c.category],
  ["due", (c) => when(c.due)],
  ["status", (c) => el("span", { class: `status-${c.status}` }, t(`status_${c.status}`))],
]);
