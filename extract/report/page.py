"""The report as one self-contained HTML page: Vega's scripts, the specs and the tables
inlined, nothing fetched at view time.

Every chart sits in a `div.chart` (`data-section`, `data-project`); every table of
numbers in a `table.numbers` (`data-query`, `data-project`) whose cells show the
query's values as formatted by extract/report/formatting.py. When every chart has drawn,
`body[data-rendered]` turns "all" ("failed" and a console error otherwise).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import altair as alt
import vl_convert

from extract.report import charts
from extract.report import formatting as fmt
from extract.report import queries as q
from extract.report.data import ReportData, Row

Formatter = Callable[[Any], str]


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    format: Formatter = fmt.cell
    numeric: bool = False
    # Values that may be long without a space (run names, versions, values of a pair):
    # they break anywhere rather than widen the table past the page.
    long: bool = False

    @property
    def css(self) -> str:
        """The cell's classes: `num` right-aligned, `time` kept on one line, `long`."""
        classes = ["num"] if self.numeric else []
        if self.format is fmt.moment:
            classes.append("time")
        if self.long:
            classes.append("long")
        return " ".join(classes)


def _counted(header: str, key: str) -> Column:
    return Column(header, key, fmt.count, numeric=True)


def _shared(header: str, key: str) -> Column:
    return Column(header, key, fmt.share, numeric=True)


def _long(header: str, key: str, numeric: bool = False) -> Column:
    return Column(header, key, numeric=numeric, long=True)


STATE_MIX_COLUMNS = (
    Column("group", "split_group"),
    Column("state", "state"),
    _counted("runs", "runs"),
    _counted("runs in group", "group_runs"),
    _shared("share of group", "share_of_group"),
)
TAG_PREVALENCE_COLUMNS = (
    Column("group", "split_group"),
    Column("tag", "tag"),
    Column("category", "tag_category"),
    _counted("tagged runs", "tagged_runs"),
    _counted("runs in group", "group_runs"),
    _shared("share in group", "group_share"),
    _counted("tagged other runs", "other_tagged_runs"),
    _counted("other runs", "other_runs"),
    _shared("share in other runs", "other_share"),
    Column("difference", "share_difference", fmt.signed_share, numeric=True),
)
TAG_COVERAGE_COLUMNS = (
    Column("load", "load_number", fmt.count, numeric=True),
    Column("W&B observed", "as_of", fmt.moment),
    Column("created", "created_month", fmt.month),
    _counted("runs", "runs"),
    _counted("runs with tags", "runs_with_tags"),
    _shared("share with tags", "share_with_tags"),
)
PAIR_COLUMNS = (
    Column("pair", "column_pair"),
    Column("config key", "config_path"),
    Column("summary key", "summary_path"),
    _counted("runs holding both", "shared_rows"),
    _counted("matching", "matching_rows"),
    _counted("divergent", "divergent_rows"),
    _shared("match rate", "match_rate"),
)
DIVERGENT_COLUMNS = (
    _long("pair", "column_pair"),
    _long("run", "run_name"),
    Column("run id", "run_id"),
    Column("state", "state"),
    _long("group", "experiment_group"),
    Column("created", "created_at", fmt.moment),
    _long("config value", "config_value", numeric=True),
    _long("summary value", "summary_value", numeric=True),
)
FLAG_COUNT_COLUMNS = (
    Column("flag", "flag"),
    Column("group", "split_group"),
    _counted("flagged runs", "flagged_runs"),
    _counted("judged runs", "judged_runs"),
    _counted("runs in group", "group_runs"),
)
FLAGGED_COLUMNS = (
    _long("run", "run_name"),
    Column("run id", "run_id"),
    Column("state", "state"),
    Column("group", "split_group"),
    Column("last step", "last_step", fmt.count, numeric=True),
    Column("last logged", "last_logged_at", fmt.moment),
    Column("last heartbeat", "heartbeat_at", fmt.moment),
    Column("trained", "training_seconds", fmt.seconds, numeric=True),
    Column("timeout", "timeout_seconds", fmt.seconds, numeric=True),
)
CHANGES_COLUMNS = (
    Column("load", "load_number", fmt.count, numeric=True),
    Column("W&B observed", "as_of", fmt.moment),
    _counted("tag changes", "tag_changes"),
    _counted("state changes", "state_changes"),
    _counted("runs changed", "changed_runs"),
)
TOP_CHANGES_COLUMNS = (
    Column("field", "field"),
    _long("from", "old_value"),
    _long("to", "new_value"),
    _counted("runs", "changes"),
    Column("first seen", "first_seen", fmt.moment),
)
SWEEP_COLUMNS = (
    _long("sweep", "sweep_name"),
    Column("id", "sweep_id"),
    Column("method", "sweep_method"),
    Column("state", "sweep_state"),
    Column("metric", "metric_name"),
    Column("goal", "metric_goal"),
    _counted("runs", "runs"),
    _counted("finished", "finished_runs"),
    _counted("running", "running_runs"),
    _counted("with the metric", "runs_with_metric"),
    _long("best run", "best_run_name"),
    Column("best value", "best_metric_value", numeric=True),
    Column("created", "created_at", fmt.moment),
)
ARTIFACT_TYPE_COLUMNS = (
    Column("type", "artifact_type"),
    Column("direction", "direction"),
    _counted("artifact versions", "artifact_versions"),
    _counted("runs", "runs"),
    Column("total size", "size_bytes", fmt.size, numeric=True),
)
MOST_USED_COLUMNS = (
    _long("artifact version", "artifact_version"),
    Column("type", "artifact_type"),
    _counted("runs using it", "using_runs"),
    _long("logged by run", "logged_by_run_name"),
    Column("size", "size_bytes", fmt.size, numeric=True),
)

FLAG_RULES = {
    "finished_without_progress": "finished, but its history ends below the minimum step "
    "(history_min_progress_steps) or W&B counts no history",
    "stale_running": "running, but no heartbeat and no logged row for longer than "
    "stale_running_after_seconds before the project's latest load",
    "likely_timed_out": "has a timeout and stopped (or went stale) within "
    "timeout_margin_seconds of it, or later",
    "state_contradicts_history": "finished but likely timed out, or crashed/failed/killed "
    "but logged over an hour after its last heartbeat",
}

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  margin: 0 auto; max-width: 1100px; padding: 0 24px 48px; }
header { border-bottom: 1px solid #ddd; margin-bottom: 8px; }
h1 { font-size: 26px; margin: 24px 0 4px; }
h2 { font-size: 20px; margin: 36px 0 4px; border-top: 1px solid #eee; padding-top: 20px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: #555; }
p.lead { margin: 0 0 10px; color: #444; max-width: 80ch; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left;
  vertical-align: top; white-space: nowrap; }
.scroll { overflow-x: auto; }
table.numbers td, table.numbers th { white-space: normal; }
table.numbers td.num, table.numbers td.time { white-space: nowrap; }
table.numbers td.long { white-space: normal; overflow-wrap: anywhere; min-width: 9ch; }
table.numbers td.num.long { min-width: 20ch; }
th { border-bottom: 1px solid #bbb; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
details { margin: 4px 0; }
summary { cursor: pointer; color: #2a5d8f; }
pre { background: #f6f8fa; padding: 10px 12px; overflow-x: auto; font-size: 12.5px; }
.note { color: #666; font-size: 13px; }
.chart { margin: 6px 0; }
table.as-of td, table.as-of th { font-size: 14px; white-space: normal; }
table.rules td:first-child { white-space: normal; max-width: 34ch; }
table.rules td:nth-child(2) { white-space: normal; }
table.as-of td:first-child, table.as-of td:nth-child(3) { white-space: nowrap; }
"""

EMBED_SCRIPT = """
const options = {renderer: "svg", actions: {export: true, source: false,
  compiled: false, editor: false}};
Promise.all(Object.entries(specs).map(([id, spec]) =>
  vegaEmbed("#" + id, spec, options).then(() => {
    document.getElementById(id).dataset.rendered = "true";
  })))
  .then(() => { document.body.dataset.rendered = "all"; })
  .catch((error) => {
    document.body.dataset.rendered = "failed";
    console.error("chart failed to draw:", error);
  });
"""


class _Page:
    """Collects the page's sections and chart specs while it is written."""

    def __init__(self, data: ReportData, warehouse_name: str) -> None:
        self.data = data
        self.warehouse_name = warehouse_name
        self.specs: dict[str, charts.Spec] = {}
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def chart(self, section: str, project: tuple[str, str], spec: charts.Spec) -> None:
        chart_id = f"chart-{len(self.specs) + 1}"
        self.specs[chart_id] = spec
        self.add(
            f'<div class="chart" id="{chart_id}" data-section="{section}" '
            f'data-project="{_esc(_name(project))}"></div>'
        )

    def table(
        self,
        query: q.Query,
        project: tuple[str, str] | None,
        columns: tuple[Column, ...],
        rows: list[Row],
        label: str = "Numbers",
        open_: bool = False,
    ) -> None:
        head = "".join(
            f'<th class="num">{_esc(c.header)}</th>' if c.numeric else f"<th>{_esc(c.header)}</th>"
            for c in columns
        )
        cells = [f' class="{c.css}"' if c.css else "" for c in columns]
        body = "".join(
            "<tr>"
            + "".join(
                f"<td{css}>{_esc(c.format(r[c.key]))}</td>"
                for c, css in zip(columns, cells, strict=True)
            )
            + "</tr>"
            for r in rows
        )
        owner = f' data-project="{_esc(_name(project))}"' if project else ""
        self.add(
            f"<details{' open' if open_ else ''}><summary>{_esc(label)}</summary>"
            f'<div class="scroll"><table class="numbers" data-query="{_esc(query.name)}"'
            f"{owner}><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div></details>"
        )

    def sql(self, *shown: q.Query) -> None:
        code = "\n\n".join(query.sql + ";" for query in shown)
        self.add(
            f"<details><summary>SQL</summary><pre><code>{_esc(code)}</code></pre>"
            f'<p class="note">Run it yourself: <code>.venv/bin/duckdb -readonly '
            f"{_esc(self.warehouse_name)}</code>.</p></details>"
        )

    def section(self, anchor: str, lead: str, more: str = "") -> None:
        """Open a section: its title (SECTIONS), a lead paragraph (HTML) and more HTML."""
        self.add(
            f'<section id="{anchor}"><h2>{_esc(SECTIONS[anchor])}</h2>'
            f'<p class="lead">{lead}</p>{more}'
        )

    def project_heading(self, project: tuple[str, str]) -> None:
        self.add(f"<h3>{_esc(_name(project))}</h3>")

    def empty(self, what: str) -> None:
        self.add(f'<p class="note">{_esc(what)}</p>')


SECTIONS = {
    "state-mix": "Run states by group",
    "tag-prevalence": "Tags that set a group apart",
    "tag-coverage": "Tag coverage by load",
    "pair-agreement": "Config against summary",
    "run-progress": "Run progress flags",
    "changes": "Changes per load",
    "sweeps": "Sweeps and their best runs",
    "artifacts": "Artifacts used and logged",
    "data-rules": "Data rule findings",
}


def render_page(data: ReportData, warehouse_name: str, generated_at: dt.datetime) -> str:
    page = _Page(data, warehouse_name)
    _sections(page)
    specs = json.dumps(page.specs, separators=(",", ":"), default=str).replace("<", "\\u003c")
    nav = "".join(f'<a href="#{anchor}">{_esc(title)}</a>' for anchor, title in SECTIONS.items())
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>wandb-warehouse report: {_esc(warehouse_name)}</title>"
        f"<style>{CSS}</style>"
        f"<script>{_vega_bundle()}</script></head><body>"
        f"<header><h1>W&amp;B runs: what the warehouse says</h1>{_as_of(data)}"
        f'<p class="note">Built from the marts of <code>{_esc(warehouse_name)}</code> on '
        f"{fmt.moment(generated_at)} by <code>wandb-warehouse report</code>. Hover a bar for "
        "its numbers; each chart's table and SQL open below it.</p>"
        f"<nav>{nav}</nav></header><main>{''.join(page.parts)}</main>"
        f"<script>const specs = {specs};{EMBED_SCRIPT}</script></body></html>\n"
    )


def _vega_bundle() -> str:
    """Vega, Vega-Lite (the version Altair writes) and vega-embed as one script."""
    vl_version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])
    return vl_convert.javascript_bundle(vl_version=vl_version).replace("</script", "<\\/script")


def _as_of(data: ReportData) -> str:
    rows = "".join(
        "<tr>"
        f"<td>{_esc(_name((r['entity'], r['project'])))}</td>"
        f'<td class="num">{fmt.count(r["built_load_number"])}</td>'
        f"<td>{fmt.moment(r['as_of'])}</td>"
        f'<td class="num">{fmt.count(r["analysed_runs"])}</td>'
        f'<td class="num">{fmt.count(r["loads"])}</td>'
        f"<td>load {fmt.count(r['newest_load_number'])}, "
        f"{fmt.moment(r['newest_finished_at'])}</td>"
        "</tr>"
        for r in data.rows[q.AS_OF.name]
    )
    if not rows:
        return '<p class="as-of">The warehouse holds no successful load yet.</p>'
    return (
        '<p class="as-of"><strong>Data as of</strong> the newest load each project\'s '
        "marts were built from (a load that listed runs), and when it observed W&amp;B:</p>"
        '<table class="as-of" data-query="as_of"><thead><tr><th>project</th>'
        '<th class="num">as of load</th><th>W&amp;B observed</th>'
        '<th class="num">analysed runs</th><th class="num">loads in the ledger</th>'
        "<th>newest load in the ledger, finished</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _section(
    page: _Page,
    anchor: str,
    lead: str,
    query: q.Query,
    build: Callable[[list[Row]], charts.Spec],
    columns: tuple[Column, ...],
    empty: str,
    *,
    intro: str = "",
    drawable: Callable[[list[Row]], bool] = bool,
    lists: Callable[[_Page, tuple[str, str]], None] | None = None,
    list_queries: tuple[q.Query, ...] = (),
) -> None:
    """A section: per project a chart of `query`'s rows with their table (and `lists`,
    the runs behind it), then the SQL of `query` and `list_queries`."""
    page.section(anchor, lead, intro)
    for project in page.data.projects:
        rows = page.data.for_project(query, project)
        page.project_heading(project)
        if not drawable(rows):
            page.empty(empty)
            continue
        page.chart(anchor, project, build(rows))
        page.table(query, project, columns, rows)
        if lists:
            lists(page, project)
    page.sql(query, *list_queries)
    page.add("</section>")


def _divergent_runs(page: _Page, project: tuple[str, str]) -> None:
    divergent = page.data.for_project(q.DIVERGENT_RUNS, project)
    if divergent:
        label = "Divergent runs, per pair: " + _listed(
            divergent, "divergent_runs", "rows", by="column_pair"
        )
        page.table(q.DIVERGENT_RUNS, project, DIVERGENT_COLUMNS, divergent, label, open_=True)


def _flagged_runs(page: _Page, project: tuple[str, str]) -> None:
    flagged = page.data.for_project(q.FLAGGED_RUNS, project)
    for flag in FLAG_RULES:
        runs = [r for r in flagged if r["flag"] == flag]
        if runs:
            label = f"{flag}: {_listed(runs, 'flagged_runs', 'runs')}"
            page.table(q.FLAGGED_RUNS, project, FLAGGED_COLUMNS, runs, label)


def _top_changes(page: _Page, project: tuple[str, str]) -> None:
    top = page.data.for_project(q.TOP_CHANGES, project)
    if top:
        label = "Most frequent changes: " + _listed(top, "distinct_changes", "distinct changes")
        page.table(q.TOP_CHANGES, project, TOP_CHANGES_COLUMNS, top, label)


def _most_used_artifacts(page: _Page, project: tuple[str, str]) -> None:
    used = page.data.for_project(q.MOST_USED_ARTIFACTS, project)
    if used:
        label = "Most used artifact versions: " + _listed(used, "used_versions", "versions")
        page.table(q.MOST_USED_ARTIFACTS, project, MOST_USED_COLUMNS, used, label)


def _sections(page: _Page) -> None:
    _section(
        page,
        "state-mix",
        "How the analysed runs of each group of the comparison split ended up (the "
        "project's <code>comparison_split</code> setting; by default runs with a "
        "<code>timeout</code> against runs without).",
        q.STATE_MIX,
        charts.state_mix,
        STATE_MIX_COLUMNS,
        "No analysed runs.",
    )
    _section(
        page,
        "tag-prevalence",
        "For each catalogued tag (the project's <code>tag_catalog</code> setting): the share "
        "of the group's runs that carry it minus the share of the project's other runs, "
        "sorted by that difference. Bars to the right: the tag is more common in the group.",
        q.TAG_PREVALENCE,
        charts.tag_prevalence,
        TAG_PREVALENCE_COLUMNS,
        "No analysed runs.",
    )
    _section(
        page,
        "tag-coverage",
        "The share of runs with at least one tag, by the month they were created, as each "
        "load saw them (every listed run, before scope rules). A month far below its "
        "neighbours, or below a later load, lost tags: a sync that refreshes only unfinished "
        "runs misses tags added after a run finished.",
        q.TAG_COVERAGE,
        charts.tag_coverage,
        TAG_COVERAGE_COLUMNS,
        "No load that listed runs.",
    )
    _section(
        page,
        "pair-agreement",
        "For each configured column pair (the project's <code>column_pairs</code> setting: a "
        "config key and a summary key that should agree, e.g. the configured pretraining "
        "steps and the ones the checkpoint reports), the analysed runs holding both values, "
        "matching or divergent; the divergent runs are listed with both values.",
        q.PAIR_AGREEMENT,
        charts.pair_agreement,
        PAIR_COLUMNS,
        "No analysed run holds both values of a configured pair.",
        drawable=lambda rows: any(r["shared_rows"] for r in rows),
        lists=_divergent_runs,
        list_queries=(q.DIVERGENT_RUNS,),
    )
    rules = "".join(
        f"<li><code>{flag}</code>: {_esc(rule)}</li>" for flag, rule in FLAG_RULES.items()
    )
    _section(
        page,
        "run-progress",
        "Each analysed run's W&amp;B state checked against its logged history, as of the "
        "project's latest load (thresholds are vars in <code>dbt_project.yml</code>); runs "
        "whose history was not pulled are not judged (<code>judged runs</code>: history "
        "stored, or W&amp;B counts none).",
        q.FLAG_COUNTS,
        charts.flag_counts,
        FLAG_COUNT_COLUMNS,
        "No run is judged: no analysed run has its history stored (sync with "
        "`extract --history`, or load a history file).",
        drawable=lambda rows: any(r["judged_runs"] for r in rows),
        intro=f'<ul class="note">{rules}</ul>',
        lists=_flagged_runs,
        list_queries=(q.FLAGGED_RUNS,),
    )
    _section(
        page,
        "changes",
        "Tag and state changes each load stored (a run's value differs from its previous "
        "stored version), and the most frequent ones: tags added after a run finished show "
        "up here.",
        q.CHANGES_PER_LOAD,
        charts.changes_per_load,
        CHANGES_COLUMNS,
        "No load that listed runs.",
        lists=_top_changes,
        list_queries=(q.TOP_CHANGES,),
    )
    _section(
        page,
        "sweeps",
        "Each sweep's runs by state, and its best run by the sweep's own metric and goal "
        f"(<code>marts.sweeps</code>; the {q.LISTED_SWEEPS} most recent sweeps of a "
        "project). Synced by every <code>extract</code>.",
        q.SWEEPS,
        charts.sweep_runs,
        SWEEP_COLUMNS,
        "No sweeps in this project.",
        drawable=lambda rows: any(r["runs"] for r in rows),
    )
    _section(
        page,
        "artifacts",
        "The artifact versions the project's runs used and logged, by type "
        "(<code>marts.artifact_lineage</code>), and the versions most used. Synced by "
        "<code>extract --artifacts</code>.",
        q.ARTIFACT_TYPES,
        charts.artifact_types,
        ARTIFACT_TYPE_COLUMNS,
        "No artifacts read for this project (sync with --artifacts).",
        lists=_most_used_artifacts,
        list_queries=(q.MOST_USED_ARTIFACTS,),
    )
    _data_rules(page)


def _data_rules(page: _Page) -> None:
    """Each warn-severity data rule: what it checks, how many rows it named at the last
    build, and those rows as its stored failures hold them."""
    page.section(
        "data-rules",
        "The warnings of a <code>dbt build</code>: each warn-severity data test "
        "(<code>marts.data_rules</code>), what it checks, and the rows it named at the last "
        "build that ran it (its stored failures, <code>findings.&lt;rule&gt;</code>). A "
        "warning does not fail the build; it names runs worth a look.",
    )
    findings = page.data.findings
    if findings is None:
        page.empty(
            "This warehouse was built before data rules were listed: run `dbt build` with "
            "this version of the project."
        )
        page.add("</section>")
        return
    named = sorted(findings, key=lambda f: (-(f.total or 0), f.rule_name))
    summary = "".join(
        "<tr>"
        # Names break after an underscore (<wbr>), not in the middle of a word.
        f'<td><code title="{_esc(f.rule_name)}">{_esc(f.rule_title).replace("_", "_<wbr>")}'
        "</code></td>"
        f"<td>{_esc(f.checks)}</td>"
        f'<td class="num">{"not run yet" if f.total is None else fmt.count(f.total)}</td>'
        "</tr>"
        for f in named
    )
    found = sum(1 for f in findings if f.total)
    page.add(
        f'<p class="note">{found} of {len(findings)} rules named rows.</p>'
        '<div class="scroll"><table class="rules" data-query="data_rules"><thead><tr>'
        '<th>rule</th><th>what it checks</th><th class="num">rows named</th></tr></thead>'
        f"<tbody>{summary}</tbody></table></div>"
    )
    for finding in named:
        if not finding.total:
            continue
        rows = [{**row, "named_rows": finding.total} for row in finding.rows]
        label = f"{finding.rule_title}: {_listed(rows, 'named_rows', 'rows')}"
        columns = tuple(
            Column(name, name, numeric=_is_number(finding.rows, name), long=True)
            for name in finding.columns
        )
        page.table(q.Query(finding.rule_name, ""), None, columns, finding.rows, label)
    page.sql(q.DATA_RULES, q.Query("findings", q.findings_sql("findings.<rule>")))
    page.add("</section>")


def _is_number(rows: list[Row], key: str) -> bool:
    """True when the column's values are numbers (right-aligned)."""
    values = [r[key] for r in rows if r[key] is not None]
    return bool(values) and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values
    )


def _listed(rows: list[Row], total_key: str, noun: str, by: str | None = None) -> str:
    """'4 runs' or '200 of 1,234 runs shown, 1,034 more in the mart': `total_key` holds
    the full count (per value of `by` when the rows list several groups)."""
    total = sum({r[by] if by else None: r[total_key] for r in rows}.values())
    if total == len(rows):
        return f"{total:,} {noun}"
    return f"{len(rows):,} of {total:,} {noun} shown, {total - len(rows):,} more in the mart"


def _name(project: tuple[str, str]) -> str:
    return f"{project[0]}/{project[1]}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
