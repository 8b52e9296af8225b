{#- The aliases an artifact version holds in its own collection, as a sorted list of
    distinct strings (empty when none): the wandb SDK's `Artifact.aliases`
    (wandb/sdk/artifacts/artifact.py). W&B sends one alias entry per (collection, alias):
    the version's own, and those it holds in the registry or portfolio collections it is
    linked into; the SDK keeps the entries whose `artifactCollection` (entity, project,
    name) is the version's own collection, and drops version-index aliases (`v0`, `v12`:
    wandb.util.alias_is_version_index). An entry without its collection is dropped, as
    the SDK drops it. -#}
{% macro own_collection_aliases(aliases_json, entity, project, name) -%}
    {{ return(adapter.dispatch('own_collection_aliases', 'wandb_warehouse')(aliases_json, entity, project, name)) }}
{%- endmacro %}

{% macro default__own_collection_aliases(aliases_json, entity, project, name) -%}
    {{ exceptions.raise_compiler_error("own_collection_aliases has no implementation for " ~ target.type) }}
{%- endmacro %}

{#- DuckDB: `aliases_json` is the JSON array of alias entries (null when missing). -#}
{% macro duckdb__own_collection_aliases(aliases_json, entity, project, name) -%}
    list_sort(list_distinct(list_transform(
        list_filter(
            coalesce(cast({{ aliases_json }} as json[]), []::json[]),
            alias_entry -> json_extract_string(alias_entry, '$.artifactCollection.name') = {{ name }}
            and json_extract_string(alias_entry, '$.artifactCollection.project.name') = {{ project }}
            and json_extract_string(alias_entry, '$.artifactCollection.project.entity.name')
            = {{ entity }}
            and not regexp_full_match(json_extract_string(alias_entry, '$.alias'), 'v[0-9]+')
        ),
        alias_entry -> json_extract_string(alias_entry, '$.alias')
    )))
{%- endmacro %}

{#- Spark: `aliases_json` is a VARIANT (the array of alias entries). -#}
{% macro spark__own_collection_aliases(aliases_json, entity, project, name) -%}
    array_sort(array_distinct(filter(
        transform(
            filter(
                coalesce(
                    try_variant_get({{ aliases_json }}, '$', 'array<variant>'),
                    cast(array() as array<variant>)
                ),
                alias_entry ->
                    try_variant_get(alias_entry, '$.artifactCollection.name', 'string') = {{ name }}
                    and try_variant_get(alias_entry, '$.artifactCollection.project.name', 'string')
                    = {{ project }}
                    and try_variant_get(
                        alias_entry, '$.artifactCollection.project.entity.name', 'string'
                    ) = {{ entity }}
            ),
            alias_entry -> try_variant_get(alias_entry, '$.alias', 'string')
        ),
        alias -> alias is not null and not alias rlike '^v[0-9]+$'
    )))
{%- endmacro %}
