{#- A SELECT of every leaf value of the `source` ('config' or 'summary') JSON of the runs
    in `payloads` (a relation or CTE with entity, project, run_id, config, summary): one
    row per run and key_path, with the JSON value and its typed readings. W&B wraps every
    config entry as {"value": ..., "desc": ...}; only the value is data, so a config
    key_path skips the wrapper. -#}
{% macro payload_key_values(payloads, source) -%}
    {%- set wrapped = '^("[^"]*"|[^.\\[]+)\\.value(.*)$' -%}
    select
        {{ payloads }}.entity,
        {{ payloads }}.project,
        {{ payloads }}.run_id,
        {% if source == 'config' -%}
            {{ regex_extract('leaves.leaf_path', wrapped, 1) }}
            || {{ regex_extract('leaves.leaf_path', wrapped, 2) }} as key_path,
        {%- else -%}
            leaves.leaf_path as key_path,
        {%- endif %}
        leaves.leaf_value as json_value,
        {{ typed_json_value('leaves.leaf_value', 'leaves.leaf_type') }}

    from {{ payloads }},
        {{ json_leaves(payloads ~ '.' ~ source, 'leaves') }}
    {% if source == 'config' -%}
        where {{ regex_matches('leaves.leaf_path', '^("[^"]*"|[^.\\[]+)\\.value([.\\[].*)?$') }}
    {%- endif %}
{%- endmacro %}
