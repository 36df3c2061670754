// Notices sent to the parties' liaison points, with acknowledgement deadlines.
import { partyName } from "./common.js";
import { listPage, when } from "./tables.js";

listPage("/api/notices", (agreement) => [
  ["sent", (n) => when(n.sent_at ?? n.created_at ?? n.at)],
  ["addressed_to", (n) => partyName(agreement, n.party ?? n.to)],
  ["title", (n) => n.title ?? n.subject ?? n.kind],
  ["ack_due", (n) => when(n.ack_due ?? n.acknowledge_by)],
  ["acknowledged", (n) => when(n.acknowledged_at)],
  ["status", (n) => n.status],
]);
