"""The marts computed the way the original analysis did it: pandas from the JSONL files.

    python -m bench.pandas_way FILE... [--check WAREHOUSE]

Each file is one load, in order (the first a complete listing, later ones partial syncs,
as bench/run.py loads them). Lines are parsed with `json`, flattened with
`pandas.json_normalize`, tags split and pivoted into flag columns, and the seven marts
come out of groupbys, following the dbt models' definitions (README "The dbt models").
With --check, every mart is compared with the warehouse's and any difference fails the
run: the benchmark times two ways to the same numbers. The warehouse's marts are those of
its last build (WAREHOUSE.d/build.duckdb, raw layer attached), published or not; without
working files, those of the published file WAREHOUSE.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from extract.warehouse.database import PROJECT_ROOT

TAG_SPLIT = re.compile(r"[^,\s](?:[^,]*[^,\s])?")
EXACT_INTEGER = re.compile(r"[+-]?[0-9]{1,38}(\.0*)?")
CONFIG_TEXTS = {
    "timeout": "config.timeout.value",
    "pretrain_steps": "config.pretrain_steps.value",
    "pretrain_compute": "config.pretrain_compute.value",
}
SUMMARY_TEXTS = {
    "runtime": "summaryMetrics._runtime",
    "model_pretrain_steps": "summaryMetrics.model_pretrain_steps",
    "model_pretrain_compute": "summaryMetrics.model_pretrain_compute",
}


def tag_catalog() -> list[dict[str, str]]:
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    return project["vars"]["tag_catalog"]


def tag_column(tag: str) -> str:
    return "tag_" + re.sub("[^a-z0-9]", "_", tag.lower())


def split_tags(value: object) -> list[str]:
    if isinstance(value, list):
        text = ",".join(str(v) for v in value if v is not None)
    elif isinstance(value, str):
        text = value
    else:
        text = ""
    return sorted(set(TAG_SPLIT.findall(text)))


def as_text(value: object) -> str | None:
    """A JSON value as json_extract_string writes it (None for missing or null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def exact_integer(text: object) -> int | None:
    if not isinstance(text, str) or not EXACT_INTEGER.fullmatch(text.strip()):
        return None
    return int(re.match(r"[+-]?[0-9]+", text.strip()).group(0))


def finite_double(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def read_loads(files: list[Path]) -> pd.DataFrame:
    """Every line of every file, flattened; one load per (file, entity, project)."""
    frames = []
    for number, path in enumerate(files, start=1):
        with path.open() as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        frame = pd.json_normalize(records)
        frame["file_number"] = number
        frame["is_full"] = frame.filter(regex=r"^(config|summaryMetrics)").notna().any(axis=1)
        frames.append(frame)
    versions = pd.concat(frames, ignore_index=True)
    versions["fetched_at"] = pd.to_datetime(versions["fetched_at"], utc=True)
    return versions


def typed_versions(versions: pd.DataFrame) -> pd.DataFrame:
    """Staging: typed columns per version, config/summary carried over light rows."""
    versions = versions.sort_values(
        ["entity", "project", "name", "fetched_at", "is_full", "file_number"]
    ).reset_index(drop=True)
    keys = ["entity", "project", "name"]
    # A light row takes config and summary from the run's latest earlier full row.
    source_row = pd.Series(np.where(versions["is_full"], versions.index, np.nan))
    source_row = source_row.groupby([versions[k] for k in keys]).ffill()
    out = pd.DataFrame(
        {
            "entity": versions["entity"],
            "project": versions["project"],
            "run_id": versions["name"],
            "file_number": versions["file_number"],
            "fetched_at": versions["fetched_at"],
            "run_name": versions.get("displayName"),
            "experiment_group": versions.get("group"),
            "state": versions.get("state"),
            "created_at": pd.to_datetime(versions.get("createdAt"), utc=True),
            "heartbeat_at": pd.to_datetime(versions.get("heartbeatAt"), utc=True),
            "sweep_id": versions.get("sweepName"),
            "history_line_count": pd.to_numeric(
                versions.get("historyLineCount"), errors="coerce"
            ).astype("Int64"),
            "tags": versions["tags"].map(split_tags)
            if "tags" in versions
            else [[]] * len(versions),
        }
    )
    for name, column in {**CONFIG_TEXTS, **SUMMARY_TEXTS}.items():
        values = versions[column] if column in versions else pd.Series([None] * len(versions))
        texts = values.map(lambda v: None if v is None or v is np.nan else as_text(v))
        texts = texts.where(versions[column].notna() if column in versions else False, None)
        carried = source_row.map(lambda i, t=texts: None if pd.isna(i) else t.iloc[int(i)])
        out[name] = carried
    out["version_number"] = out.groupby(["entity", "project", "run_id"]).cumcount() + 1
    return out


def runs_mart(latest: pd.DataFrame, catalog: list[dict[str, str]]) -> pd.DataFrame:
    scope = pd.read_csv(PROJECT_ROOT / "seeds" / "analysis_scope.csv")
    exclusions = pd.read_csv(PROJECT_ROOT / "seeds" / "run_exclusions.csv")
    runs = latest.merge(scope, on=["entity", "project"], how="left")
    first_day = pd.to_datetime(runs["first_run_date"]).dt.tz_localize("UTC")
    in_scope = runs["first_run_date"].isna() | (
        runs["created_at"].dt.tz_convert("UTC").dt.floor("D") >= first_day
    )
    excluded = runs.set_index(["entity", "project", "run_id"]).index.isin(
        exclusions.set_index(["entity", "project", "run_id"]).index
    )
    runs = runs[in_scope.fillna(False).to_numpy() & ~excluded & ~runs["is_deleted"].to_numpy()]
    runtime = runs["runtime"].map(finite_double)
    elapsed = (runs["heartbeat_at"] - runs["created_at"]).dt.total_seconds()
    mart = pd.DataFrame(
        {
            "entity": runs["entity"],
            "project": runs["project"],
            "run_id": runs["run_id"],
            "run_name": runs["run_name"],
            "experiment_group": runs["experiment_group"],
            "state": runs["state"],
            "created_at": runs["created_at"],
            "heartbeat_at": runs["heartbeat_at"],
            "runtime_seconds": runtime.where(runtime.notna(), elapsed).astype(float),
            "timeout_seconds": runs["timeout"].map(finite_double).astype(float),
            "version_count": runs["version_count"],
            "history_line_count": runs["history_line_count"],
            "sweep_id": runs["sweep_id"],
        }
    )
    mart["has_timeout"] = mart["timeout_seconds"].notna()
    # The default comparison split: config `timeout` present or not.
    mart["has_split_value"] = runs["timeout"].notna().to_numpy()
    mart["split_group"] = np.where(mart["has_split_value"], "timeout", "no_timeout")
    for name in (
        "pretrain_steps",
        "model_pretrain_steps",
        "pretrain_compute",
        "model_pretrain_compute",
    ):
        mart[name] = runs[name].map(exact_integer)
    mart["tags"] = runs["tags"]
    # The tag pivot: one boolean column per catalogued tag.
    exploded = runs[["tags"]].explode("tags")
    flags = pd.crosstab(exploded.index, exploded["tags"]).astype(bool)
    for entry in catalog:
        column = (
            flags[entry["tag"]] if entry["tag"] in flags else pd.Series(False, index=flags.index)
        )
        mart[tag_column(entry["tag"])] = column.reindex(mart.index, fill_value=False)
    return mart.reset_index(drop=True)


def pretrain_overlap(runs: pd.DataFrame) -> pd.DataFrame:
    has_steps = runs["pretrain_steps"].notna() & runs["model_pretrain_steps"].notna()
    has_compute = runs["pretrain_compute"].notna() & runs["model_pretrain_compute"].notna()
    overlap = runs[has_steps | has_compute][
        [
            "entity",
            "project",
            "run_id",
            "run_name",
            "experiment_group",
            "state",
            "created_at",
            "pretrain_steps",
            "model_pretrain_steps",
            "pretrain_compute",
            "model_pretrain_compute",
            "version_count",
        ]
    ].copy()

    def match(a: str, b: str) -> pd.Series:
        both = overlap[a].notna() & overlap[b].notna()
        return pd.Series(
            np.where(both, overlap[a] == overlap[b], None), index=overlap.index, dtype=object
        )

    def ratio(a: str, b: str) -> pd.Series:
        top = overlap[b].map(lambda v: None if v is None or pd.isna(v) else float(v))
        bottom = overlap[a].map(lambda v: None if v is None or pd.isna(v) or v == 0 else float(v))
        return top.astype(float) / bottom.astype(float)

    overlap["steps_match"] = match("pretrain_steps", "model_pretrain_steps")
    overlap["compute_match"] = match("pretrain_compute", "model_pretrain_compute")
    overlap["steps_ratio"] = ratio("pretrain_steps", "model_pretrain_steps")
    overlap["compute_ratio"] = ratio("pretrain_compute", "model_pretrain_compute")
    return overlap.reset_index(drop=True)


def pretrain_overlap_summary(runs: pd.DataFrame, overlap: pd.DataFrame) -> pd.DataFrame:
    projects = runs[["entity", "project"]].drop_duplicates()
    rows = []
    # The default column pairs, in their configured order.
    paths = {
        "steps": ("pretrain_steps", "model_pretrain_steps"),
        "compute": ("pretrain_compute", "model_pretrain_compute"),
    }
    for order, (pair, (config_path, summary_path)) in enumerate(paths.items(), start=1):
        shared = overlap[overlap[f"{pair}_match"].notna()]
        counts = shared.groupby(["entity", "project"]).agg(
            shared_rows=(f"{pair}_match", "size"),
            matching_rows=(f"{pair}_match", lambda s: int((s == True).sum())),  # noqa: E712
        )
        frame = projects.merge(counts.reset_index(), on=["entity", "project"], how="left")
        frame["column_pair"] = pair
        frame["config_path"] = config_path
        frame["summary_path"] = summary_path
        frame["pair_order"] = order
        rows.append(frame)
    summary = pd.concat(rows, ignore_index=True)
    summary["match_rate"] = summary["matching_rows"] / summary["shared_rows"]
    summary["shared_rows"] = summary["shared_rows"].fillna(0).astype("int64")
    summary["matching_rows"] = summary["matching_rows"].fillna(0).astype("int64")
    summary["divergent_rows"] = summary["shared_rows"] - summary["matching_rows"]
    return summary


def timeout_state_distribution(runs: pd.DataFrame) -> pd.DataFrame:
    frame = runs.assign(timeout_group=np.where(runs["has_timeout"], "timeout", "no_timeout"))
    counts = frame.groupby(["entity", "project", "timeout_group", "state"]).size()
    counts = counts.rename("runs").reset_index()
    counts["group_runs"] = counts.groupby(["entity", "project", "timeout_group"])["runs"].transform(
        "sum"
    )
    counts["share_of_group"] = counts["runs"] / counts["group_runs"]
    counts["split_name"] = "timeout"
    return counts


def timeout_tag_prevalence(runs: pd.DataFrame, catalog: list[dict[str, str]]) -> pd.DataFrame:
    sizes = runs.groupby(["entity", "project"]).agg(
        timeout_group_runs=("has_timeout", "sum"),
        no_timeout_group_runs=("has_timeout", lambda s: int((~s).sum())),
    )
    rows = []
    for order, entry in enumerate(catalog, start=1):
        flag = runs[tag_column(entry["tag"])]
        counts = (
            runs.assign(
                timeout_runs=flag & runs["has_timeout"], no_timeout_runs=flag & ~runs["has_timeout"]
            )
            .groupby(["entity", "project"])[["timeout_runs", "no_timeout_runs"]]
            .sum()
        )
        frame = sizes.join(counts).reset_index()
        frame["tag"] = entry["tag"]
        frame["tag_category"] = entry["category"]
        frame["catalog_order"] = order
        rows.append(frame)
    prevalence = pd.concat(rows, ignore_index=True)
    prevalence["timeout_share"] = prevalence["timeout_runs"] / prevalence[
        "timeout_group_runs"
    ].replace(0, np.nan)
    prevalence["no_timeout_share"] = prevalence["no_timeout_runs"] / prevalence[
        "no_timeout_group_runs"
    ].replace(0, np.nan)
    prevalence["share_difference"] = prevalence["timeout_share"] - prevalence["no_timeout_share"]
    return prevalence


def tag_coverage(versions: pd.DataFrame, loads: pd.DataFrame) -> pd.DataFrame:
    """Per load and created month: the runs that load listed, as they stood at that load."""
    keys = ["entity", "project", "run_id"]
    stored = versions.sort_values([*keys, "file_number", "version_number"]).drop_duplicates(
        [*keys, "file_number"], keep="last"
    )
    rows = []
    for load in loads.itertuples():
        listed = versions[
            (versions["file_number"] == load.file_number)
            & (versions["entity"] == load.entity)
            & (versions["project"] == load.project)
        ][keys].drop_duplicates()
        as_stood = stored[
            (stored["file_number"] <= load.file_number)
            & (stored["entity"] == load.entity)
            & (stored["project"] == load.project)
        ].drop_duplicates(keys, keep="last")
        frame = listed.merge(as_stood, on=keys)
        frame["created_month"] = (
            (frame["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M"))
            .dt.to_timestamp()
            .dt.date
        )
        frame["has_tags"] = frame["tags"].map(len) > 0
        grouped = frame.groupby("created_month").agg(
            runs=("run_id", "size"), runs_with_tags=("has_tags", "sum")
        )
        grouped = grouped.reset_index()
        grouped["entity"], grouped["project"] = load.entity, load.project
        grouped["load_number"], grouped["as_of"] = load.load_number, load.as_of
        rows.append(grouped)
    coverage = pd.concat(rows, ignore_index=True)
    coverage["share_with_tags"] = coverage["runs_with_tags"] / coverage["runs"]
    return coverage


def run_changes(versions: pd.DataFrame) -> pd.DataFrame:
    keys = ["entity", "project", "run_id"]
    frame = versions.sort_values([*keys, "version_number"]).copy()
    frame["tags_text"] = frame["tags"].map(",".join)
    grouped = frame.groupby(keys)
    changes = []
    for field, column in (("tags", "tags_text"), ("state", "state")):
        previous = grouped[column].shift()
        changed = (frame["version_number"] > 1) & (
            previous.fillna("\0") != frame[column].fillna("\0")
        )
        part = frame[changed][[*keys, "fetched_at", "version_number"]].copy()
        part["field"] = field
        part["old_value"] = previous[changed]
        part["new_value"] = frame.loc[changed, column]
        changes.append(part.rename(columns={"fetched_at": "changed_at"}))
    return pd.concat(changes, ignore_index=True)


def compute(files: list[Path]) -> dict[str, pd.DataFrame]:
    catalog = tag_catalog()
    raw = read_loads(files)
    versions = typed_versions(raw)
    keys = ["entity", "project", "run_id"]
    loads = (
        versions.groupby(["file_number", "entity", "project"])["fetched_at"]
        .max()
        .rename("as_of")
        .reset_index()
    )
    loads["load_number"] = loads.groupby(["entity", "project"]).cumcount() + 1
    latest = versions.drop_duplicates(keys, keep="last").copy()
    latest["version_count"] = versions.groupby(keys)["run_id"].transform("size")[latest.index]
    # The first file is a complete listing; later (partial) files delete nothing.
    latest["is_deleted"] = False
    runs = runs_mart(latest, catalog)
    overlap = pretrain_overlap(runs)
    return {
        "runs": runs,
        "pretrain_overlap": overlap,
        "pretrain_overlap_summary": pretrain_overlap_summary(runs, overlap),
        "timeout_state_distribution": timeout_state_distribution(runs),
        "timeout_tag_prevalence": timeout_tag_prevalence(runs, catalog),
        "tag_coverage": tag_coverage(versions, loads),
        "run_changes": run_changes(versions),
    }


def _normalise(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, (Decimal, np.integer)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), 9)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").isoformat() if value.tzinfo else value.isoformat()
    if hasattr(value, "isoformat"):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, (list, np.ndarray)):
        return tuple(str(v) for v in value)
    return value


def check(marts: dict[str, pd.DataFrame], warehouse: Path) -> None:
    """Fail loudly unless every mart equals the warehouse's last build's, row for row."""
    import duckdb

    from bench.warehouses import open_working
    from extract.warehouse.files import Warehouse

    if Warehouse(warehouse).build_db.exists():
        con = open_working(warehouse)
    else:
        con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("set timezone = 'UTC'")
    problems = []
    for name, ours in marts.items():
        theirs = con.execute(f"select * from marts.{name}").df()
        columns = [c for c in theirs.columns if not c.endswith("load_id")]
        missing = set(columns) - set(ours.columns)
        if missing:
            problems.append(f"{name}: pandas lacks {sorted(missing)}")
            continue
        mine = {tuple(_normalise(v) for v in row) for row in ours[columns].itertuples(index=False)}
        warehouse_rows = {
            tuple(_normalise(v) for v in row) for row in theirs[columns].itertuples(index=False)
        }
        if len(ours) != len(theirs) or mine != warehouse_rows:
            sample = sorted(map(str, mine ^ warehouse_rows))[:3]
            problems.append(
                f"{name}: {len(ours)} pandas rows vs {len(theirs)} warehouse rows; "
                f"{len(mine ^ warehouse_rows)} differ, e.g. {sample}"
            )
    con.close()
    if problems:
        raise SystemExit("pandas and the warehouse disagree:\n" + "\n".join(problems))
    print(f"pandas marts equal the warehouse's: {', '.join(marts)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--check", type=Path, help="warehouse whose marts must be equal")
    args = parser.parse_args(argv)
    marts = compute(args.files)
    if args.check:
        check(marts, args.check)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
