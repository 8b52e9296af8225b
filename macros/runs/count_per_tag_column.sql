{#- Per catalogued tag, the rows of the group whose marts.runs tag column (tag_column_name)
    is true: one column per tag, named <tag column>__<suffix>. For the select list of an
    aggregate over marts.runs; no trailing comma. -#}
{% macro count_per_tag_column(suffix) -%}
    {%- for entry in var('tag_catalog') %}
        cast(count_if({{ tag_column_name(entry.tag) }}) as bigint) as {{ tag_column_name(entry.tag) }}__{{ suffix }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
