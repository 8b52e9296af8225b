{#- The top-level keys of a JSON object, as a list of strings (for `explode_list`). -#}
{% macro json_object_keys(json_expr) -%}
    {{ return(adapter.dispatch('json_object_keys', 'wandb_warehouse')(json_expr)) }}
{%- endmacro %}

{% macro default__json_object_keys(json_expr) -%}
    {{ exceptions.raise_compiler_error("json_object_keys has no implementation for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_object_keys(json_expr) -%}
    json_keys({{ json_expr }})
{%- endmacro %}

{#- Spark: the VARIANT object's keys, via the object read as a map. -#}
{% macro spark__json_object_keys(json_expr) -%}
    map_keys(variant_get({{ json_expr }}, '$', 'map<string,variant>'))
{%- endmacro %}
