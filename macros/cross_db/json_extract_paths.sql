{#- Several JSON values of one document in one parse: a list of JSON values, one per
    JSONPath in `paths` (null where missing), read with list_element(..., position). -#}
{% macro json_extract_paths(json_expr, paths) -%}
    {{ return(adapter.dispatch('json_extract_paths', 'wandb_warehouse')(json_expr, paths)) }}
{%- endmacro %}

{% macro default__json_extract_paths(json_expr, paths) -%}
    array(
        {%- for path in paths %}
        get_json_object({{ json_expr }}, '{{ path }}'){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro duckdb__json_extract_paths(json_expr, paths) -%}
    json_extract({{ json_expr }}, [
        {%- for path in paths -%}
            '{{ path }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ])
{%- endmacro %}

{#- Spark: `json_expr` is a VARIANT (already parsed once, NaN and big integers kept), so
    each path is a cheap lookup; an array of VARIANTs. -#}
{% macro spark__json_extract_paths(json_expr, paths) -%}
    array(
        {%- for path in paths %}
        variant_get({{ json_expr }}, '{{ path }}'){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
