"""The markdown table of a results.json (what the README's "Performance" section shows)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROWS = (
    ("load", "`wandb-warehouse load`"),
    ("read_json", "DuckDB `read_json` -> table"),
    ("read_json_objects", "DuckDB `read_json_objects` -> JSON table"),
    ("dbt_build", "`dbt build` (full)"),
    ("dbt_discovery", "key discovery models alone (`dbt build --select`, with start-up)"),
    ("raw_compiled_sql", "same compiled SQL, one connection"),
    ("load_1pct_changed", "`load --partial` of a 1% sync"),
    ("dbt_rebuild_after_1pct", "`dbt build` after the 1% sync"),
    ("dbt_full_build_after_1pct", "`dbt build --full-refresh`, same data"),
    ("pandas_way", "pandas way (read + flatten + marts)"),
)


def _cell(step: dict | None) -> str:
    if not step:
        return "-"
    return (
        f"{step['wall_s']:.1f} s / {step['cpu_s']:.1f} cpu-s / {step['peak_rss_mb'] / 1024:.2f} GB"
    )


def _ratio(a: dict | None, b: dict | None, extra: float = 0.0) -> str:
    if not a or not b:
        return "-"
    return f"{a['wall_s'] / (b['wall_s'] + extra):.2f}"


def ratios(size: dict) -> dict[str, str]:
    steps = size["steps"]
    fixed = size.get("dbt_fixed_startup") or {}
    get = steps.get
    out = {
        "load / read_json": _ratio(get("load"), get("read_json")),
        "dbt build / (compiled SQL + dbt fixed start-up)": _ratio(
            get("dbt_build"), get("raw_compiled_sql"), fixed.get("wall_s", 0.0)
        ),
        "key discovery / full build": _ratio(get("dbt_discovery"), get("dbt_build")),
        "rebuild after 1% / full build": _ratio(
            get("dbt_rebuild_after_1pct"), get("dbt_full_build_after_1pct")
        ),
    }
    if get("pandas_way") and get("load") and get("dbt_build"):
        pandas = get("pandas_way")["wall_s"]
        warehouse = get("load")["wall_s"] + get("load_1pct_changed")["wall_s"]
        out["pandas / (load + compiled SQL)"] = (
            f"{pandas / (warehouse + get('raw_compiled_sql')['wall_s']):.1f}x"
        )
        out["pandas / (load + dbt build)"] = (
            f"{pandas / (warehouse + get('dbt_build')['wall_s']):.1f}x"
        )
    if get("load") and get("dbt_build"):
        out["load + dbt build (s)"] = f"{get('load')['wall_s'] + get('dbt_build')['wall_s']:.0f}"
    return out


def markdown(report: dict) -> str:
    sizes = report["sizes"]
    header = "| step | " + " | ".join(f"{s['runs']:,} runs" for s in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]
    lines.append(
        "| `dbt build` on an empty raw layer (fixed start-up) | "
        + " | ".join(_cell(s.get("dbt_fixed_startup")) for s in sizes)
        + " |"
    )
    for key, label in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(s["steps"].get(key)) for s in sizes) + " |")
    names = list(ratios(sizes[0]).keys()) if sizes else []
    for size in sizes[1:]:
        names += [name for name in ratios(size) if name not in names]
    for name in names:
        lines.append(
            f"| **{name}** | " + " | ".join(ratios(s).get(name, "-") for s in sizes) + " |"
        )
    lines.append("")
    lines.append("Cells: median wall / median CPU seconds / peak RSS of the step's process.")
    for size in sizes:
        env = size.get("environment", report["environment"])
        repeats = len(next(iter(size["steps"].values()))["samples"])
        loads = [x["load_avg"] for step in size["steps"].values() for x in step["samples"]]
        lines.append(
            f"{size['runs']:,} runs: {repeats} repeat(s), {env['cpus']} CPUs, "
            f"{env['memory_gb']} GB, DuckDB {env['duckdb']}, threads {env['threads']}, "
            f"memory_limit {env['memory_limit']}, commit {env['commit']}, "
            f"{env['started_at']}, load average {min(loads):.1f}-{max(loads):.1f}."
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path, nargs="?", default=Path("bench/results/results.json"))
    args = parser.parse_args()
    print(markdown(json.loads(args.results.read_text())))


if __name__ == "__main__":
    main()
