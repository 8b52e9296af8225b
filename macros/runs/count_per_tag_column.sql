{#- Per tag column of marts.runs (catalog_tag_columns), the rows of the group whose column
    is true: one column each, named <tag column>__<suffix>. For the select list of an
    aggregate over marts.runs; no trailing comma. -#}
{% macro count_per_tag_column(suffix) -%}
    {%- for column in catalog_tag_columns() %}
        cast(count_if({{ column.column }}) as bigint) as {{ column.column }}__{{ suffix }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
