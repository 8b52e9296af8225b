{#- A digest of the part of the analysis settings a stored table's rows depend on, kept
    with the table (record_analysis_settings) so that a build after an edit rebuilds it
    (analysis_settings_changed): 'paths' (the config and summary values read from each
    run record), 'pairs' (the column pairs of every project) or 'all'. -#}
{% macro analysis_settings_fingerprint(part) -%}
    {%- set settings = analysis_settings() -%}
    {%- if part == 'paths' -%}
        {%- set described = analysis_paths() | list | sort -%}
    {%- elif part in ['pairs', 'all'] -%}
        {#- The defaults, and each project whose part differs from them: an entry that
            repeats the defaults changes no row. -#}
        {%- set scopes = settings['scopes'] -%}
        {%- set described = {} -%}
        {%- for scope, scoped in scopes.items() -%}
            {%- set value = scoped['column_pairs'] if part == 'pairs' else scoped -%}
            {%- set default = scopes['*']['column_pairs'] if part == 'pairs' else scopes['*'] -%}
            {%- if scope == '*' or value != default -%}
                {%- do described.update({scope: value}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("analysis_settings_fingerprint: unknown part '" ~ part ~ "'") }}
    {%- endif -%}
    {{ return(local_md5(tojson(described, sort_keys=True))) }}
{%- endmacro %}
