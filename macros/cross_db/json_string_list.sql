{#- The strings at `member` of each object in the JSON array at `array_path`, as a sorted
    list of distinct non-null strings (empty when the array is missing), e.g. an artifact's
    alias names from `$.aliases[*].alias`. -#}
{% macro json_string_list(json_expr, array_path, member) -%}
    {{ return(adapter.dispatch('json_string_list', 'wandb_warehouse')(json_expr, array_path, member)) }}
{%- endmacro %}

{% macro default__json_string_list(json_expr, array_path, member) -%}
    {{ exceptions.raise_compiler_error("json_string_list has no implementation for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_string_list(json_expr, array_path, member) -%}
    list_sort(list_distinct(coalesce(
        json_extract_string({{ json_expr }}, '{{ array_path }}[*].{{ member }}'),
        []::varchar[]
    )))
{%- endmacro %}

{#- Spark: `json_expr` is a VARIANT. -#}
{% macro spark__json_string_list(json_expr, array_path, member) -%}
    array_sort(array_distinct(filter(
        coalesce(
            transform(
                try_variant_get({{ json_expr }}, '{{ array_path }}', 'array<variant>'),
                item -> try_variant_get(item, '$.{{ member }}', 'string')
            ),
            cast(array() as array<string>)
        ),
        item -> item is not null
    )))
{%- endmacro %}
