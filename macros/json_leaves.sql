{#- A lateral table of every scalar leaf of a JSON object, for `from t, {{ json_leaves(...) }}`:
    columns leaf_path (JSONPath from the object's root without the leading '$.', e.g.
    'optimizer.lr' or 'layers[0]'), leaf_value (JSON, numbers exactly as written) and
    leaf_type (OBJECT/ARRAY never appear; NULL does). -#}
{% macro json_leaves(json_expr, alias) -%}
    {{ return(adapter.dispatch('json_leaves', 'wandb_warehouse')(json_expr, alias)) }}
{%- endmacro %}

{% macro default__json_leaves(json_expr, alias) -%}
    {{ exceptions.raise_compiler_error("json_leaves has no implementation for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_leaves(json_expr, alias) -%}
    (
        select
            regexp_replace(fullkey, '^\$\.?', '') as leaf_path,
            value as leaf_value,
            type as leaf_type
        from json_tree({{ json_expr }})
        where type not in ('OBJECT', 'ARRAY')
    ) as {{ alias }}
{%- endmacro %}
