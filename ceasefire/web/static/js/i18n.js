// The UI's languages: English, Ukrainian and Russian (the languages in which the OSCE
// mission published). The words live in ../i18n/<lang>.json, one catalog per language
// with the same keys (tests/test_i18n.py fails on a key missing from any of them, and
// on a visible string in the templates or scripts that bypasses the catalog).
import en from "../i18n/en.json" with { type: "json" };
import ru from "../i18n/ru.json" with { type: "json" };
import uk from "../i18n/uk.json" with { type: "json" };

export const LANGUAGES = ["en", "uk", "ru"];
const CATALOGS = { en, uk, ru };

export const STRINGS = Object.fromEntries(LANGUAGES.map((l) => [l, CATALOGS[l].strings]));

// Event types, by the report schema's vocabulary.
export const EVENT_TYPES = Object.fromEntries(LANGUAGES.map((l) => [l, CATALOGS[l].event_types]));

/** The page's language when it is one of ours, else English. */
export function pageLanguage(code) {
  return LANGUAGES.includes(code) ? code : "en";
}

/** A translatable text of an agreement: `translations[lang][section][id]`, else `fallback`. */
export function translated(agreement, lang, section, id, fallback) {
  const block = agreement?.translations?.[lang];
  if (!block) return fallback;
  const value = id === undefined ? block[section] : block[section]?.[id];
  return value ?? fallback;
}
