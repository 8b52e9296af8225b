{#- Per catalogued tag, the rows of the group whose marts.runs tag column (tag_column_name)
    is true: one column per tag, named <tag column>__<suffix>. For the select list of an
    aggregate over marts.runs; no trailing comma. -#}
{% macro count_per_tag_column(suffix) -%}
    {%- for entry in var('tag_catalog') %}
        cast(count_if({{ tag_column_name(entry.tag) }}) as bigint) as {{ tag_column_name(entry.tag) }}__{{ suffix }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The inverse: the value, in `relation`, of the <tag column>__<suffix> column of the tag
    that `tag_expr` names (a CASE over the catalog; null for a tag outside it). -#}
{% macro pick_per_tag_column(tag_expr, relation, suffix) -%}
    case {{ tag_expr }}
        {%- for entry in var('tag_catalog') %}
            when '{{ entry.tag }}' then {{ relation }}.{{ tag_column_name(entry.tag) }}__{{ suffix }}
        {%- endfor %}
    end
{%- endmacro %}
