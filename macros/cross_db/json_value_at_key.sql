{#- The value of a JSON object's top-level key given by a column or expression (not a
    literal path) as text: numbers exactly as written (NaN, Infinity), strings unquoted,
    null for a missing key. Any key works, including ones with '/', '.', '$' or quotes. -#}
{% macro json_value_at_key(json_expr, key_expr) -%}
    {{ return(adapter.dispatch('json_value_at_key', 'wandb_warehouse')(json_expr, key_expr)) }}
{%- endmacro %}

{% macro default__json_value_at_key(json_expr, key_expr) -%}
    {{ exceptions.raise_compiler_error("json_value_at_key has no implementation for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_value_at_key(json_expr, key_expr) -%}
    json_extract_string(
        {{ json_expr }},
        '$."' || replace(replace({{ key_expr }}, '\', '\\'), '"', '\"') || '"'
    )
{%- endmacro %}

{#- Spark: `variant_get` takes only a literal path, so the object is read as a map and the
    key looked up in it; the value becomes text as `json_extract_string` gives it. -#}
{% macro spark__json_value_at_key(json_expr, key_expr) -%}
    variant_get(
        element_at(variant_get({{ json_expr }}, '$', 'map<string,variant>'), {{ key_expr }}),
        '$',
        'string'
    )
{%- endmacro %}
