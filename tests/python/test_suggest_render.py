"""`wandb-warehouse suggest`'s decisions without dbt: the printed entry (tag collisions,
carried names and roles, indentation), the compare kind read from the values, and the
agreement counted as the build counts it, on small DuckDB tables written here."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
import yaml

from extract.suggest import parse_entry, quoted_agreements
from extract.suggest.agreement import agreement, compare_for
from extract.suggest.discovery import configured_pairs
from extract.suggest.found import ConfiguredPair, Pair, Split, ValueCounts
from extract.suggest.render import render, tag_column

ENTITY, PROJECT = "acme", "B"
SPLIT = Split("optimizer.name", "value", 90, 100, 3)
STEPS = ConfiguredPair(
    "steps", "pretrain_steps", "model_pretrain_steps", "integer", "pretrain_steps"
)
COMPUTE = ConfiguredPair(
    "compute", "pretrain_compute", "model_pretrain_compute", "integer", "pretrain_compute"
)


def _entry(text: str) -> dict:
    return parse_entry(text)[f"{ENTITY}/{PROJECT}"]


def _pair(config: str, summary: str, rate: float | None, compare: str = "integer") -> Pair:
    return Pair(config, summary, compare, 10, 9, rate)


def test_the_entry_pastes_under_project_settings() -> None:
    text = render(ENTITY, PROJECT, [("augmix", "augmentation", 4)], [], [SPLIT])
    lines = text.splitlines()
    assert lines[0] == "    # Suggested by `wandb-warehouse suggest acme/B` from its analysed runs."
    header = " ".join(line.strip("# ") for line in lines if line.startswith("    #"))
    assert "under `project_settings:` in dbt_project.yml's vars" in header
    assert "no other project" in header and "no --full-refresh" in header
    assert "    acme/B:" in lines and "      tag_catalog:" in lines
    pasted = yaml.safe_load(
        "vars:\n  column_pairs: []\n  project_settings:\n"
        "    other/project: {column_pairs: []}\n" + text
    )
    assert pasted["vars"]["project_settings"] == {
        "other/project": {"column_pairs": []},
        **parse_entry(text),
    }
    assert _entry(text) == {
        "tag_catalog": [{"tag": "augmix", "category": "augmentation"}],
        "column_pairs": [],
        "comparison_split": {
            "name": "optimizer_name",
            "source": "config",
            "path": "optimizer.name",
            "groups": "value",
        },
    }


def test_tag_column_follows_the_macro() -> None:
    assert tag_column("dclm-dolma") == "tag_dclm_dolma"
    assert tag_column("ResNet-50") == tag_column("resnet_50") == "tag_resnet_50"
    assert tag_column("cifar.100") == tag_column("cifar-100") == "tag_cifar_100"
    assert tag_column("4M") == "tag_4m"


def test_tags_sharing_a_column_keep_the_most_common() -> None:
    found = [
        ("ResNet-50", "architecture", 40),
        ("cifar.100", "dataset", 30),
        ("resnet-50", "architecture", 12),
        ("cifar-100", "dataset", 5),
        ("augmix", "other", 3),
    ]
    text = render(ENTITY, PROJECT, found, [], [SPLIT])
    assert (
        '        # - {tag: "resnet-50", category: architecture}  # 12 runs; same column '
        'tag_resnet_50 as "ResNet-50"'
    ) in text.splitlines()
    assert (
        '        # - {tag: "cifar-100", category: dataset}  # 5 runs; same column '
        'tag_cifar_100 as "cifar.100"'
    ) in text.splitlines()
    kept = [entry["tag"] for entry in _entry(text)["tag_catalog"]]
    assert kept == ["ResNet-50", "cifar.100", "augmix"]
    assert len({tag_column(tag) for tag in kept}) == len(kept)


def test_no_tag_and_no_split() -> None:
    text = render(ENTITY, PROJECT, [], [], [])
    assert "      tag_catalog: []  # no run carries a tag" in text.splitlines()
    entry = _entry(text)
    assert entry == {"tag_catalog": [], "column_pairs": []}


def test_names_and_roles_carry_over_from_the_settings() -> None:
    found = [
        _pair("pretrain_compute", "model_pretrain_compute", 0.95),
        _pair("steps", "train/global_step", 0.9),
        _pair("pretrain_steps", "model_pretrain_steps", 0.85),
        _pair("lr", "optimizer/lr", 0.5, "number"),
    ]
    text = render(ENTITY, PROJECT, [], found, [SPLIT], [STEPS, COMPUTE])
    pairs = _entry(text)["column_pairs"]
    assert [(pair["name"], pair.get("role")) for pair in pairs] == [
        ("compute", "pretrain_compute"),
        # Named for its config key, `steps`, which the carried pair takes.
        ("steps_2", None),
        ("steps", "pretrain_steps"),
    ]
    assert pairs[2] == {
        "name": "steps",
        "config": "pretrain_steps",
        "summary": "model_pretrain_steps",
        "compare": "integer",
        "role": "pretrain_steps",
    }
    assert (
        '        # - {name: lr, config: "lr", summary: "optimizer/lr", compare: number}'
        "  # 9 of 10 runs agree"
    ) in text.splitlines()
    assert quoted_agreements(text) == {"compute": (9, 10), "steps_2": (9, 10), "steps": (9, 10)}


def test_a_configured_pair_not_suggested_is_listed_as_a_comment() -> None:
    found = [
        _pair("max_steps", "_step", 0.9),
        Pair("pretrain_steps", "model_pretrain_steps", "integer", 21, 3, None),
    ]
    text = render(ENTITY, PROJECT, [], found, [SPLIT], [STEPS])
    assert (
        '        # - {name: steps, config: "pretrain_steps", summary: "model_pretrain_steps", '
        "compare: integer, role: pretrain_steps}  # configured now, not a candidate here; "
        "3 of 21 runs agree"
    ) in text.splitlines()
    assert [pair["name"] for pair in _entry(text)["column_pairs"]] == ["max_steps"]
    assert quoted_agreements(text) == {"max_steps": (9, 10)}


def test_alternatives_sharing_a_config_key_get_distinct_names() -> None:
    found = [_pair("max_steps", "_step", 0.6), _pair("max_steps", "train/global_step", 0.6)]
    text = render(ENTITY, PROJECT, [], found, [SPLIT])
    names = [
        line.split("{name: ")[1].split(",")[0]
        for line in text.splitlines()
        if "config: " in line and "{name:" in line
    ]
    assert names == ["max_steps__step", "max_steps__train_global_step"]
    assert "      column_pairs: []" in text.splitlines()


def test_odd_names_are_quoted_so_they_read_back_as_text() -> None:
    found = [_pair("true", "null", 0.9), _pair("1e3", "x", 0.9)]
    text = render("my-team", "a project", [("on", "yes", 2)], found, [SPLIT])
    entry = parse_entry(text)["my-team/a project"]
    assert [pair["name"] for pair in entry["column_pairs"]] == ["true", "1e3"]
    assert entry["tag_catalog"] == [{"tag": "on", "category": "yes"}]


def test_compare_kind_from_value_counts() -> None:
    integers = ValueCounts(values=10, integers=10, numbers=10, non_finite=0)
    with_nan = ValueCounts(values=10, integers=9, numbers=9, non_finite=1)
    decimals = ValueCounts(values=10, integers=4, numbers=10, non_finite=0)
    texts = ValueCounts(values=10, integers=9, numbers=9, non_finite=0)
    nothing = ValueCounts(values=0, integers=0, numbers=0, non_finite=0)
    assert compare_for(integers, integers) == "integer"
    assert compare_for(integers, with_nan) == "integer"
    assert compare_for(integers, decimals) == "number"
    assert compare_for(texts, integers) == "text"
    assert compare_for(nothing, integers) == "text"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """marts.runs and intermediate.int_runs__payloads, as far as suggest reads them."""
    connection = duckdb.connect()
    connection.execute("create schema marts")
    connection.execute("create schema intermediate")
    connection.execute("create table marts.runs (entity varchar, project varchar, run_id varchar)")
    connection.execute(
        "create table intermediate.int_runs__payloads "
        "(entity varchar, project varchar, run_id varchar, config json, summary json)"
    )
    yield connection
    connection.close()


def _add_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    config: str,
    summary: str,
    *,
    analysed: bool = True,
    project: str = PROJECT,
) -> None:
    """A run whose config and summary are the JSON texts given (config entries wrapped in
    {"value": ...} as W&B writes them)."""
    if analysed:
        con.execute("insert into marts.runs values (?, ?, ?)", [ENTITY, project, run_id])
    con.execute(
        "insert into intermediate.int_runs__payloads values (?, ?, ?, ?, ?)",
        [ENTITY, project, run_id, config, summary],
    )


def _wrapped(**values: str) -> str:
    return "{" + ", ".join(f'"{key}": {{"value": {value}}}' for key, value in values.items()) + "}"


def test_integers_however_written_compare_as_integers(con: duckdb.DuckDBPyConnection) -> None:
    big = "18446744073709551617"  # past 2^64: exact, never rounded to a double
    written = [
        ("5000", '"5000"'),
        ("5000.0", "5000"),
        ('"5000"', "5000.00"),
        (big, f'"{big}"'),
        ("7", "8"),
        ("7", "null"),  # no summary value: not shared
    ]
    for index, (config, summary) in enumerate(written):
        _add_run(con, f"r{index}", _wrapped(steps=config), f'{{"model_steps": {summary}}}')
    # Not analysed, or another project: not counted.
    _add_run(con, "out", _wrapped(steps="1"), '{"model_steps": 1}', analysed=False)
    _add_run(con, "other", _wrapped(steps="1"), '{"model_steps": 1}', project="C")
    found = agreement(con, ENTITY, PROJECT, [("steps", "model_steps")])[("steps", "model_steps")]
    assert found.config == ValueCounts(values=6, integers=6, numbers=6, non_finite=0)
    assert found.summary == ValueCounts(values=5, integers=5, numbers=5, non_finite=0)
    assert compare_for(found.config, found.summary) == "integer"
    assert found.by_compare["integer"] == (5, 4)
    # As text, 5000.0 and "5000" differ: the reason integers must not compare as text.
    assert found.by_compare["text"] == (5, 2)


def test_numbers_texts_and_nested_paths(con: duckdb.DuckDBPyConnection) -> None:
    _add_run(
        con,
        "r1",
        '{"optimizer": {"value": {"lr": 0.5}}, "data": {"value": {"name": "cifar"}}}',
        '{"optimizer": {"lr": "0.5"}, "dataset": {"name": "cifar"}, "loss": "NaN"}',
    )
    _add_run(
        con,
        "r2",
        '{"optimizer": {"value": {"lr": 1.25}}, "data": {"value": {"name": "imagenet"}}}',
        '{"optimizer": {"lr": 1.5}, "dataset": {"name": "ImageNet"}, "loss": 2}',
    )
    keys = [
        ("optimizer.lr", "optimizer.lr"),
        ("data.name", "dataset.name"),
        ("optimizer.lr", "loss"),
    ]
    found = agreement(con, ENTITY, PROJECT, keys)
    lr = found[("optimizer.lr", "optimizer.lr")]
    assert compare_for(lr.config, lr.summary) == "number"
    assert lr.by_compare["number"] == (2, 1)
    name = found[("data.name", "dataset.name")]
    assert compare_for(name.config, name.summary) == "text"
    assert name.by_compare["text"] == (2, 1)
    loss = found[("optimizer.lr", "loss")].summary
    assert loss == ValueCounts(values=2, integers=1, numbers=1, non_finite=1)


def test_no_pairs_read_nothing(con: duckdb.DuckDBPyConnection) -> None:
    assert agreement(con, ENTITY, PROJECT, []) == {}


def _configured_table(con: duckdb.DuckDBPyConnection, columns: str, rows: list[tuple]) -> None:
    con.execute("create schema if not exists intermediate")
    con.execute(f"create table intermediate.int_column_pairs__configured ({columns})")
    for row in rows:
        con.execute(
            f"insert into intermediate.int_column_pairs__configured values "
            f"({', '.join('?' for _ in row)})",
            list(row),
        )


@pytest.mark.parametrize("role_column", ["role", "pair_role"])
def test_configured_pairs_of_the_project_scope_else_the_defaults(role_column: str) -> None:
    con = duckdb.connect()
    _configured_table(
        con,
        "settings_scope varchar, column_pair varchar, config_path varchar, "
        f"summary_path varchar, compare_as varchar, {role_column} varchar, pair_order integer",
        [
            (
                "*",
                "steps",
                "pretrain_steps",
                "model_pretrain_steps",
                "integer",
                "pretrain_steps",
                1,
            ),
            ("acme/B", "train", "max_steps", "_step", "integer", "pretrain_steps", 1),
            ("acme/B", "lr", "lr", "lr", "number", None, 2),
        ],
    )
    assert configured_pairs(con, "acme", "B") == [
        ConfiguredPair("train", "max_steps", "_step", "integer", "pretrain_steps"),
        ConfiguredPair("lr", "lr", "lr", "number", None),
    ]
    assert configured_pairs(con, "acme", "other") == [STEPS]


def test_configured_pairs_of_an_older_build_have_no_role() -> None:
    con = duckdb.connect()
    assert configured_pairs(con, "acme", "B") == []
    _configured_table(
        con,
        "column_pair varchar, config_path varchar, summary_path varchar, compare_as varchar, "
        "pair_order integer",
        [("steps", "pretrain_steps", "model_pretrain_steps", "integer", 1)],
    )
    assert configured_pairs(con, "acme", "B") == [
        ConfiguredPair("steps", "pretrain_steps", "model_pretrain_steps", "integer", None)
    ]
