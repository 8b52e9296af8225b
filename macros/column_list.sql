{#- A select list of `columns`, each qualified by `alias` when one is given. -#}
{% macro column_list(columns, alias=none) -%}
    {%- for column in columns -%}
        {{ alias ~ '.' if alias }}{{ column }}{{ ',\n' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- True when any of `columns` differs between the rows `left` and `right` (nulls equal). -#}
{% macro any_column_differs(left, right, columns) -%}
    (
    {%- for column in columns %}
        {{ 'or ' if not loop.first }}{{ left }}.{{ column }} is distinct from {{ right }}.{{ column }}
    {%- endfor %}
    )
{%- endmacro %}
