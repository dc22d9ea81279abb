#!/usr/bin/env node
// Render CSL-JSON items with citeproc-js, the reference CSL processor, for
// citekit's differential test (see differential.py and docs/differential.md).
//
// Reads one JSON job from stdin:
//
//   {
//     "style_xml": "<style ...>",           // an independent CSL style
//     "lang": "en-US",                       // optional; the style's default-locale wins
//     "locales_dir": "path/to/locales",     // folder of locales-xx-XX.xml files, or
//     "locales": {"en-US": "<locale ...>"},  // locale XML by language tag
//     "mode": "text",                        // citeproc-js output format: text, html, rtf
//     "documents": [                         // each rendered by a fresh engine
//       {
//         "items": [{"id": "a", "type": "book", ...}],   // CSL-JSON
//         "citations": [                     // in document order; each a cluster:
//           [{"id": "a", "locator": "12", "label": "page"}],         // a list of cites, or
//           {"cites": [{"id": "a"}], "note": 1}                       // cites and a note number
//         ]
//       }
//     ]
//   }
//
// A job may also give "items" and "citations" at the top level (one document).
// Prints one JSON object on stdout:
//
//   {"documents": [{"bibliography": {"a": "entry text", ...},
//                   "unmatched": [],       // entries with no item id (should not occur)
//                   "citations": ["(Author 2001, 12)", ...],
//                   "error": null}]}
//
// Every citation is rendered in the processor's final state, after all of the
// document's citations are known (citeproc-js's rebuildProcessorState), so
// disambiguation and year suffixes are those of the whole document; the
// bibliography is the one of the cited items (makeBibliography). A style may
// leave an entry out (Chicago's notes style omits manuscripts): makeBibliography
// then returns fewer entries than entry_ids, so entries are matched to their
// items through the output format's "@bibliography/entry" hook, which sees
// each entry's item id, never by position.

"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

function readStdin() {
  return fs.readFileSync(0, "utf8");
}

function localeLoader(job) {
  const given = job.locales || {};
  const dir = job.locales_dir || null;
  const cache = {};
  return function retrieveLocale(lang) {
    if (Object.prototype.hasOwnProperty.call(cache, lang)) {
      return cache[lang];
    }
    let xml = false;
    if (Object.prototype.hasOwnProperty.call(given, lang)) {
      xml = given[lang];
    } else if (dir) {
      const file = path.join(dir, "locales-" + lang + ".xml");
      if (fs.existsSync(file)) {
        xml = fs.readFileSync(file, "utf8");
      }
    }
    cache[lang] = xml;
    return xml;
  };
}

function toCitation(cluster, index) {
  const cites = Array.isArray(cluster) ? cluster : cluster.cites;
  const note = Array.isArray(cluster) ? 0 : cluster.note || 0;
  return {
    citationID: "citation-" + index,
    citationItems: cites.map((cite) => Object.assign({}, cite, { id: String(cite.id) })),
    properties: { noteIndex: note },
  };
}

const MARK = "\u0001";

// Make the output format put each bibliography entry's item id before it.
function tagEntries(mode) {
  const format = CSL.Output.Formats[mode];
  const untagged = format["@bibliography/entry"];
  if (untagged.tagged) {
    return;
  }
  const tagged = function (state, str) {
    // citeproc-js puts the item's id on the entry's blob: as item_id when the
    // caller's sys has embedBibliographyEntry, as system_id otherwise.
    const blob = this || {};
    const found = blob.item_id !== undefined ? blob.item_id : blob.system_id;
    const id = found !== undefined && found !== null ? String(found) : "";
    return MARK + id + MARK + untagged.call(this, state, str);
  };
  tagged.tagged = true;
  format["@bibliography/entry"] = tagged;
}

function untag(entry) {
  const match = /^\u0001([^\u0001]*)\u0001/.exec(entry);
  return match ? [match[1], entry.slice(match[0].length)] : ["", entry];
}

function renderDocument(job, retrieveLocale, document) {
  const items = {};
  for (const item of document.items || []) {
    items[String(item.id)] = item;
  }
  const sys = {
    retrieveLocale: retrieveLocale,
    retrieveItem: (id) => items[id],
  };
  const result = { bibliography: {}, unmatched: [], citations: [], error: null };
  try {
    const mode = job.mode || "text";
    tagEntries(mode);
    const engine = new CSL.Engine(sys, job.style_xml, job.lang || "en-US");
    engine.setOutputFormat(mode);
    const citations = (document.citations || []).map(toCitation);
    if (citations.length) {
      const rendered = engine.rebuildProcessorState(citations, mode, []);
      result.citations = rendered.map((triple) => triple[2]);
    } else {
      engine.updateItems(Object.keys(items));
    }
    const bibliography = engine.makeBibliography();
    if (bibliography) {
      for (const entry of bibliography[1]) {
        const [id, text] = untag(entry);
        if (id) {
          result.bibliography[id] = text;
        } else {
          result.unmatched.push(text);
        }
      }
    }
  } catch (error) {
    result.error = String((error && error.stack) || error);
  }
  return result;
}

function main() {
  const job = JSON.parse(readStdin());
  const retrieveLocale = localeLoader(job);
  const documents = job.documents || [{ items: job.items, citations: job.citations }];
  const out = { documents: documents.map((d) => renderDocument(job, retrieveLocale, d)) };
  process.stdout.write(JSON.stringify(out));
}

main();
