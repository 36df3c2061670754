// Commitments and milestones: who must do what by when, and where it stands.
import { listPage, when } from "./tables.js";

listPage("/api/commitments", [
  ["commitment", (c) => c.title ?? c.text ?? c.id],
  ["responsible", (c) => (Array.isArray(c.parties) ? c.parties.join(", ") : c.party ?? c.by)],
  ["due", (c) => when(c.due ?? c.due_at)],
  ["status", (c) => c.status],
  ["score", (c) => c.score],
]);
