"""Findings as text (one a line, like a compiler), JSON, or SARIF 2.1.0."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from citekit.checks import Finding, Rule

__all__ = ["FORMATS", "render", "to_sarif"]

#: The output formats of ``citekit check --format``.
FORMATS = ("text", "json", "sarif")

_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def to_sarif(findings: Sequence[Finding], rules: Mapping[str, type[Rule]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run: the rules that were run and the findings."""
    from citekit import __version__

    ids = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    descriptors = []
    for rule_id in ids:
        cls = rules[rule_id]
        summary = (cls.__doc__ or rule_id).strip().splitlines()[0]
        descriptors.append(
            {
                "id": rule_id,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": cls.rationale or summary},
                "defaultConfiguration": {"level": _SARIF_LEVELS[cls.severity]},
                "properties": {"family": cls.family},
            }
        )
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _SARIF_LEVELS[finding.severity],
            "message": {"text": finding.message},
        }
        if finding.rule in index:
            result["ruleIndex"] = index[finding.rule]
        if finding.path is not None:
            physical: dict[str, Any] = {
                "artifactLocation": {
                    "uri": urllib.parse.quote(PurePath(finding.path).as_posix(), safe="/:")
                }
            }
            if finding.line is not None:
                physical["region"] = {"startLine": finding.line}
            location: dict[str, Any] = {"physicalLocation": physical}
            if finding.key is not None:
                name = finding.key if finding.field is None else f"{finding.key}.{finding.field}"
                location["logicalLocations"] = [{"name": name, "kind": "member"}]
            result["locations"] = [location]
        if finding.fix is not None:
            result["properties"] = {"fix": finding.fix.to_json()}
        results.append(result)
    return {
        "$schema": _SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "citekit",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }


def render(
    findings: Sequence[Finding], format: str, rules: Mapping[str, type[Rule]] | None = None
) -> str:
    """The findings in ``format`` (``"text"``, ``"json"`` or ``"sarif"``), ending in a newline
    (text with no findings is empty)."""
    if format == "text":
        return "".join(f"{finding}\n" for finding in findings)
    if format == "json":
        return json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2) + "\n"
    if format == "sarif":
        if rules is None:
            from citekit.checks import rule_classes

            rules = rule_classes()
        return json.dumps(to_sarif(findings, rules), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
