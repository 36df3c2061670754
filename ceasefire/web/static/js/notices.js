// Notices sent to the parties' liaison points: acknowledgement deadlines and state.
// A party acknowledges its own open notices here; each acknowledgement is a log entry.
import { api, el, me, partyName, t } from "./common.js";
import { listPage, when } from "./tables.js";

const who = await me;

function acknowledge(notice) {
  if (who.role !== "party" || notice.recipient !== who.party || notice.acked_at) return when(notice.acked_at);
  const button = el("button", { type: "button", class: "publish", dataset: { notice: notice.id } }, t("acknowledge"));
  button.addEventListener("click", async () => {
    try {
      await api(`/api/notices/${encodeURIComponent(notice.id)}/ack`, { body: {} });
      location.reload();
    } catch (error) {
      button.replaceWith(`${t("error")}: ${error.message}`);
    }
  });
  return button;
}

listPage("/api/notices", (agreement) => [
  ["sent", (n) => when(n.created_at)],
  ["addressed_to", (n) => `${partyName(agreement, n.recipient)}${n.liaison ? ` (${n.liaison})` : ""}`],
  ["title", (n) => [el("strong", {}, n.title ?? n.cause), n.body ? el("div", { class: "muted" }, n.body) : null]],
  ["ack_due", (n) => when(n.ack_due)],
  ["acknowledged", acknowledge],
  // the public is not told whether a party answered (issue 14): no state then
  ["status", (n) => (n.state ? el("span", { class: `status-${n.state}` }, t(`notice_${n.state}`)) : "—")],
]);
