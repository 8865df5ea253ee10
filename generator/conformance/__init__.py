"""Conformance: how completely the readers turn a real docs tree into Method records.

For every page of a docs tree, `scan` decides from the raw text alone whether the page
documents a method and what its tables hold; `judging` reads the page with the real
reader and compares; `tree` walks a docs tree and counts by category; `languages`
matches the records of two trees (English and Russian) and lists where they disagree;
`report` turns all that into what the CLI prints.

Findings: CONF000 reading raised; CONF001 no record; CONF002 name; CONF003 scope;
CONF004 api; CONF005 parameter row missing; CONF006 required mark; CONF007 sub-table not
nested; CONF008 error rows; CONF009 system error rows; CONF010 not deprecated; CONF011
no replacement; CONF012 parameter no row lists; CONF013 error codes.

Everything here is a pure function returning values; nothing prints and nothing raises.
"""

from generator.conformance.judging import PageResult, flat, judge
from generator.conformance.languages import Agreement, Disagreement, compare_languages
from generator.conformance.report import (
    agreement_data,
    agreement_headline,
    disagreement_lines,
    format_agreement,
    format_table,
    format_totals,
    format_tree,
    tree_data,
)
from generator.conformance.scan import PageFacts, page_facts, row_mark, row_name
from generator.conformance.tree import CategoryStats, TreeReport, check_tree

__all__ = [
    "Agreement",
    "CategoryStats",
    "Disagreement",
    "PageFacts",
    "PageResult",
    "TreeReport",
    "agreement_data",
    "agreement_headline",
    "check_tree",
    "compare_languages",
    "disagreement_lines",
    "flat",
    "format_agreement",
    "format_table",
    "format_totals",
    "format_tree",
    "judge",
    "page_facts",
    "row_mark",
    "row_name",
    "tree_data",
]
