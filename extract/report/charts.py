"""The report's charts as Vega-Lite specs (built with Altair, validated by its schema).

Each builder takes one project's rows of a query (extract/report/queries.py) and returns
the spec as a dict; the data travel inside the spec, so the page needs no server.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from extract.report import formatting as fmt
from extract.report.data import Row

Spec = dict[str, Any]

WIDTH = 560
# W&B's run states in the colours a reader expects; other states take OTHER_COLOURS.
# The order is the dbt var wandb_run_states' (the `<state>_runs` columns of marts.sweeps).
STATE_COLOURS = {
    "running": "#3b75af",
    "finished": "#4c9a2a",
    "crashed": "#ef8636",
    "failed": "#c53a32",
    "killed": "#8c6bb1",
    "preempting": "#bdbdbd",
    "preempted": "#9b9b9b",
    "pending": "#d9d9d9",
}
OTHER_COLOURS = ("#7f7f7f", "#bcbd22", "#17becf", "#e377c2", "#8c564b")
MATCH_COLOURS = {"matching": "#4c9a2a", "divergent": "#c53a32"}
FIELD_COLOURS = {"tags": "#3b75af", "state": "#ef8636"}


def _spec(chart: alt.TopLevelMixin) -> Spec:
    return chart.configure_view(stroke=None).to_dict()


def _bars(data: list[dict[str, Any]], **encoding: Any) -> Spec:
    """A bar chart of `data` (inlined in the spec), page-wide, encoded as given."""
    return _spec(alt.Chart(alt.Data(values=data), width=WIDTH).mark_bar().encode(**encoding))


def _count_x(field: str, title: str, stacked: bool = True) -> alt.X:
    """An x axis of counts: ticks on whole numbers only (3 runs draw 0, 1, 2, 3, not
    0.5 steps), with thousands separated."""
    return alt.X(
        f"{field}:Q",
        stack="zero" if stacked else None,
        title=title,
        axis=alt.Axis(format=",d", tickMinStep=1),
    )


def _fixed_scale(colours: dict[str, str]) -> alt.Scale:
    """The values in `colours`, in its order and colours."""
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def _colour_scale(values: list[str], colours: dict[str, str]) -> alt.Scale:
    present = list(dict.fromkeys(values))
    known = [v for v in present if v in colours]
    others = [v for v in present if v not in colours]
    return alt.Scale(
        domain=known + others,
        range=[colours[v] for v in known]
        + [OTHER_COLOURS[i % len(OTHER_COLOURS)] for i in range(len(others))],
    )


def state_mix(rows: list[Row]) -> Spec:
    data = [
        {
            "group": r["split_group"],
            "state": r["state"],
            "runs": r["runs"],
            "group_runs": r["group_runs"],
            "share": r["share_of_group"],
            "share_text": fmt.share(r["share_of_group"]),
        }
        for r in rows
    ]
    groups = list(dict.fromkeys(d["group"] for d in data))
    states = [d["state"] for d in data]
    return _bars(
        data,
        y=alt.Y("group:N", sort=groups, title=rows[0]["split_name"] if rows else None),
        x=alt.X("share:Q", stack="zero", axis=alt.Axis(format="%"), title="share of group"),
        color=alt.Color("state:N", scale=_colour_scale(states, STATE_COLOURS)),
        order=alt.Order("runs:Q", sort="descending"),
        tooltip=[
            alt.Tooltip("group:N"),
            alt.Tooltip("state:N"),
            alt.Tooltip("runs:Q", format=","),
            alt.Tooltip("group_runs:Q", format=",", title="runs in group"),
            alt.Tooltip("share_text:N", title="share of group"),
        ],
    )


def tag_prevalence(rows: list[Row]) -> Spec:
    groups = list(dict.fromkeys(r["split_group"] for r in rows))
    charts = []
    for group in groups:
        data = [
            {
                "tag": r["tag"],
                "category": r["tag_category"],
                "difference": r["share_difference"],
                "direction": "more common in group"
                if (r["share_difference"] or 0) >= 0
                else "less common in group",
                "group_text": f"{fmt.share(r['group_share'])} ({r['tagged_runs']:,} of "
                f"{r['group_runs']:,})",
                "other_text": f"{fmt.share(r['other_share'])} ({r['other_tagged_runs']:,} of "
                f"{r['other_runs']:,})",
                "difference_text": fmt.signed_share(r["share_difference"]),
            }
            for r in rows
            if r["split_group"] == group
        ]
        tags = [d["tag"] for d in data]  # already sorted by difference, descending
        charts.append(
            alt.Chart(
                alt.Data(values=data),
                width=WIDTH if len(groups) == 1 else WIDTH // 2,
                height=alt.Step(16),
                title=f"{group} vs the other runs",
            )
            .mark_bar()
            .encode(
                y=alt.Y("tag:N", sort=tags, title=None),
                x=alt.X(
                    "difference:Q",
                    axis=alt.Axis(format="+%"),
                    title="share in group minus share in the other runs",
                ),
                color=alt.Color(
                    "direction:N",
                    scale=alt.Scale(
                        domain=["more common in group", "less common in group"],
                        range=["#3b75af", "#ef8636"],
                    ),
                    legend=alt.Legend(title=None, orient="bottom"),
                ),
                tooltip=[
                    alt.Tooltip("tag:N"),
                    alt.Tooltip("category:N"),
                    alt.Tooltip("group_text:N", title=f"in {group}"),
                    alt.Tooltip("other_text:N", title="in the other runs"),
                    alt.Tooltip("difference_text:N", title="difference"),
                ],
            )
        )
    # Two charts a row: with labels, two half-width charts fill the page's width.
    return _spec(alt.concat(*charts, columns=2) if len(charts) > 1 else charts[0])


def tag_coverage(rows: list[Row]) -> Spec:
    data = [
        {
            "load": fmt.load_label(r["load_number"], r["as_of"]),
            "month": fmt.month(r["created_month"]),
            "share": r["share_with_tags"],
            "label": f"{fmt.share(r['share_with_tags'])} "
            f"({r['runs_with_tags']:,} of {r['runs']:,})",
        }
        for r in rows
    ]
    loads = list(dict.fromkeys(d["load"] for d in data))
    months = sorted({d["month"] for d in data})
    base = alt.Chart(alt.Data(values=data), width=alt.Step(150), height=alt.Step(36)).encode(
        x=alt.X(
            "month:O", sort=months, title="month the runs were created", axis=alt.Axis(labelAngle=0)
        ),
        y=alt.Y("load:O", sort=loads, title=None),
        tooltip=[
            alt.Tooltip("load:N"),
            alt.Tooltip("month:N", title="created"),
            alt.Tooltip("label:N", title="runs with tags"),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "share:Q",
            # Red to orange below half tagged, yellow to green near all; black text reads
            # on each.
            scale=alt.Scale(
                domain=[0, 0.5, 0.9, 1], range=["#d9473f", "#f4a261", "#fbe3a0", "#a8d98a"]
            ),
            legend=alt.Legend(format="%", title="runs with tags"),
        )
    )
    text = base.mark_text(fontSize=12).encode(text="label:N")
    return _spec(alt.layer(cells, text))


def pair_agreement(rows: list[Row]) -> Spec:
    data = [
        {
            "pair": f"{r['column_pair']}: {r['config_path']} / {r['summary_path']}",
            "outcome": outcome,
            "runs": r[f"{outcome}_rows"],
            "shared": r["shared_rows"],
            "rate": fmt.share(r["match_rate"]),
        }
        for r in rows
        for outcome in ("matching", "divergent")
    ]
    pairs = list(dict.fromkeys(d["pair"] for d in data))
    return _bars(
        data,
        y=alt.Y("pair:N", sort=pairs, title=None, axis=alt.Axis(labelLimit=320)),
        x=_count_x("runs", "runs holding both values"),
        color=alt.Color("outcome:N", scale=_fixed_scale(MATCH_COLOURS)),
        order=alt.Order("outcome:N", sort="descending"),
        tooltip=[
            alt.Tooltip("pair:N"),
            alt.Tooltip("outcome:N"),
            alt.Tooltip("runs:Q", format=","),
            alt.Tooltip("shared:Q", format=",", title="runs holding both"),
            alt.Tooltip("rate:N", title="match rate"),
        ],
    )


def flag_counts(rows: list[Row]) -> Spec:
    data = [
        {
            "flag": r["flag"],
            "group": r["split_group"],
            "runs": r["flagged_runs"],
            "group_runs": r["group_runs"],
        }
        for r in rows
    ]
    flags = list(dict.fromkeys(d["flag"] for d in data))
    return _bars(
        data,
        y=alt.Y("flag:N", sort=flags, title=None, axis=alt.Axis(labelLimit=240)),
        x=_count_x("runs", "flagged runs"),
        color=alt.Color("group:N", title="group"),
        tooltip=[
            alt.Tooltip("flag:N"),
            alt.Tooltip("group:N"),
            alt.Tooltip("runs:Q", format=",", title="flagged runs"),
            alt.Tooltip("group_runs:Q", format=",", title="runs in group"),
        ],
    )


def changes_per_load(rows: list[Row]) -> Spec:
    data = [
        {
            "load": fmt.load_label(r["load_number"], r["as_of"]),
            "field": field,
            "changes": r[column],
            "runs": r["changed_runs"],
        }
        for r in rows
        for field, column in (("tags", "tag_changes"), ("state", "state_changes"))
    ]
    loads = list(dict.fromkeys(d["load"] for d in data))
    return _bars(
        data,
        y=alt.Y("load:N", sort=loads, title=None, axis=alt.Axis(labelLimit=260)),
        x=_count_x("changes", "changes stored by the load"),
        color=alt.Color("field:N", scale=_fixed_scale(FIELD_COLOURS)),
        tooltip=[
            alt.Tooltip("load:N"),
            alt.Tooltip("field:N"),
            alt.Tooltip("changes:Q", format=","),
            alt.Tooltip("runs:Q", format=",", title="runs changed by the load"),
        ],
    )


SWEEP_STATES = tuple(STATE_COLOURS)
DIRECTION_COLOURS = {"used": "#3b75af", "logged": "#4c9a2a"}


def sweep_runs(rows: list[Row]) -> Spec:
    data = [
        {
            "sweep": f"{r['sweep_name'] or r['sweep_id']} ({r['sweep_id']})",
            "state": state,
            "runs": r[f"{state}_runs"],
            "sweep_runs": r["runs"],
            "best": f"{r['best_run_name']}: {r['best_metric_value']:,.6g}"
            if r["best_run_name"] is not None and r["best_metric_value"] is not None
            else "",
        }
        for r in rows
        for state in SWEEP_STATES
        if r[f"{state}_runs"]
    ]
    sweeps = list(dict.fromkeys(d["sweep"] for d in data))
    present = [state for state in SWEEP_STATES if any(d["state"] == state for d in data)]
    return _bars(
        data,
        y=alt.Y("sweep:N", sort=sweeps, title=None, axis=alt.Axis(labelLimit=320)),
        x=_count_x("runs", "runs the sweep launched"),
        # The legend lists the states present, in W&B's order.
        color=alt.Color("state:N", scale=_colour_scale(present, STATE_COLOURS)),
        order=alt.Order("runs:Q", sort="descending"),
        tooltip=[
            alt.Tooltip("sweep:N"),
            alt.Tooltip("state:N"),
            alt.Tooltip("runs:Q", format=","),
            alt.Tooltip("sweep_runs:Q", format=",", title="runs of the sweep"),
            alt.Tooltip("best:N", title="best run"),
        ],
    )


def artifact_types(rows: list[Row]) -> Spec:
    data = [
        {
            "type": r["artifact_type"],
            "direction": r["direction"],
            "versions": r["artifact_versions"],
            "runs": r["runs"],
        }
        for r in rows
    ]
    return _bars(
        data,
        y=alt.Y("type:N", title=None),
        yOffset=alt.YOffset("direction:N"),
        x=_count_x("versions", "artifact versions", stacked=False),
        color=alt.Color("direction:N", scale=_fixed_scale(DIRECTION_COLOURS)),
        tooltip=[
            alt.Tooltip("type:N"),
            alt.Tooltip("direction:N"),
            alt.Tooltip("versions:Q", format=",", title="artifact versions"),
            alt.Tooltip("runs:Q", format=",", title="runs"),
        ],
    )
