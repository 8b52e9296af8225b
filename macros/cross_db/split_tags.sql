{#- W&B run tags as a sorted list of distinct, trimmed, non-empty strings. `tags_json` is
    the JSON of the record's `tags`: a list of strings (elements may themselves be
    comma-joined, as the old downloader wrote "10mtx1,4M,finetune"), a comma-joined string,
    or missing/null (empty list). -#}
{% macro split_tags(tags_json) -%}
    {{ return(adapter.dispatch('split_tags', 'wandb_warehouse')(tags_json)) }}
{%- endmacro %}

{% macro default__split_tags(tags_json) -%}
    array_sort(array_distinct(regexp_extract_all(
        coalesce(array_join(from_json({{ tags_json }}, 'array<string>'), ','), ''),
        '[^,\\s](?:[^,]*[^,\\s])?'
    )))
{%- endmacro %}

{% macro duckdb__split_tags(tags_json) -%}
    list_sort(list_distinct(regexp_extract_all(
        coalesce(
            case json_type({{ tags_json }})
                when 'ARRAY' then array_to_string(json_extract_string({{ tags_json }}, '$[*]'), ',')
                when 'VARCHAR' then json_extract_string({{ tags_json }}, '$')
            end,
            ''
        ),
        '[^,\s](?:[^,]*[^,\s])?'
    )))
{%- endmacro %}

{#- Spark: `tags_json` is a VARIANT (an array, a string, or missing). -#}
{% macro spark__split_tags(tags_json) -%}
    array_sort(array_distinct(regexp_extract_all(
        coalesce(
            case
                when schema_of_variant({{ tags_json }}) like 'ARRAY%'
                    then array_join(try_variant_get({{ tags_json }}, '$', 'array<string>'), ',')
                when schema_of_variant({{ tags_json }}) = 'STRING'
                    then variant_get({{ tags_json }}, '$', 'string')
            end,
            ''
        ),
        '[^,\\s](?:[^,]*[^,\\s])?',
        0
    )))
{%- endmacro %}
