{#- The config and summary values the analysis configuration names (the `column_pairs`
    and `comparison_split` vars), as a dict from a value's key ('config.<path>' or
    'summary.<path>') to the JSONPath that reads it from a run record. A config path
    skips W&B's {"value": ...} wrapper after its first key. -#}
{% macro analysis_paths() -%}
    {%- set keys = [] -%}
    {%- for pair in var('column_pairs') or [] -%}
        {%- do keys.append(('config', pair['config'])) -%}
        {%- do keys.append(('summary', pair['summary'])) -%}
    {%- endfor -%}
    {%- set split = var('comparison_split') -%}
    {%- do keys.append((split['source'], split['path'])) -%}
    {%- set paths = {} -%}
    {%- for source, path in keys -%}
        {%- set segments = path.split('.') -%}
        {%- if source == 'config' -%}
            {%- set segments = ['config', segments[0], 'value'] + segments[1:] -%}
        {%- elif source == 'summary' -%}
            {%- set segments = ['summaryMetrics'] + segments -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "an analysis path's source must be config or summary, not '" ~ source ~ "'"
            ) }}
        {%- endif -%}
        {%- do paths.update({source ~ '.' ~ path: json_path(segments)}) -%}
    {%- endfor -%}
    {{ return(paths) }}
{%- endmacro %}
