{#- The config and summary values the analysis settings name (the column pairs and the
    comparison split of every project's settings, see analysis_settings), as a dict from a
    value's key ('config.<path>' or 'summary.<path>') to the JSONPath that reads it from a
    run record. A config path skips W&B's {"value": ...} wrapper after its first key. -#}
{% macro analysis_paths() -%}
    {%- set keys = [] -%}
    {%- for scoped in analysis_settings()['scopes'].values() -%}
        {%- for pair in scoped['column_pairs'] -%}
            {%- do keys.append(('config', pair['config'])) -%}
            {%- do keys.append(('summary', pair['summary'])) -%}
        {%- endfor -%}
        {%- set split = scoped['comparison_split'] -%}
        {%- do keys.append((split['source'], split['path'])) -%}
    {%- endfor -%}
    {%- set paths = {} -%}
    {%- for source, path in keys | unique | sort -%}
        {%- set segments = path.split('.') -%}
        {%- if source == 'config' -%}
            {%- set segments = ['config', segments[0], 'value'] + segments[1:] -%}
        {%- else -%}
            {%- set segments = ['summaryMetrics'] + segments -%}
        {%- endif -%}
        {%- do paths.update({source ~ '.' ~ path: json_path(segments)}) -%}
    {%- endfor -%}
    {{ return(paths) }}
{%- endmacro %}
