// Commitments and milestones: who must do what by when, and where it stands.
import { el, lang, partyName, t } from "./common.js";
import { translated } from "./i18n.js";
import { listPage, when } from "./tables.js";

listPage("/api/commitments", (agreement) => [
  ["commitment", (c) => [el("strong", {}, translated(agreement, lang, "commitments", c.id, c.what ?? c.title ?? c.id)), el("br"), el("code", {}, c.id)]],
  ["responsible", (c) => partyName(agreement, c.party)],
  ["category", (c) => t(`category_${c.category}`)],
  ["due", (c) => when(c.due)],
  ["status", (c) => el("span", { class: `status-${c.status}` }, t(`status_${c.status}`))],
]);
