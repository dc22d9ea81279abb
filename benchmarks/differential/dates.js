#!/usr/bin/env node
// Free-text dates as citeproc-js reads them, for citekit's date parser table
// (tests/fixtures/dateparse/citeproc_js_dates.json, made by dates.py).
//
// Reads a JSON array of strings on stdin and prints a JSON array of the
// objects citeproc-js's date parser makes of them: the parser its engine
// runs on the "raw" text of a date variable that has no "date-parts"
// (CSL.DateParser.parseDateToObject). Keys: year, month, day, year_end,
// month_end, day_end (month 13-16 are the seasons spring to winter), season
// (a text such as "Trinity"), circa, literal.

"use strict";

const fs = require("fs");
const CSL = require("citeproc");

const texts = JSON.parse(fs.readFileSync(0, "utf8"));
const out = texts.map((text) => CSL.DateParser.parseDateToObject(text));
process.stdout.write(JSON.stringify(out) + "\n");
