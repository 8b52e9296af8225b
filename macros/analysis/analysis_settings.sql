{#- The analysis settings, checked and resolved per project. The defaults are the vars
    tag_catalog, column_pairs and comparison_split; the var project_settings maps
    'entity/project' to an entry whose keys replace the defaults' for that project.
    Returns {'scopes': {scope: settings}, 'projects': [scope, ...]}, where scope '*' holds
    the defaults and every project with an entry has its own, complete settings. Every
    entry is checked here, when dbt parses the project (the models call this while being
    parsed), so a mistake stops dbt with one line naming the var, the project and the
    entry before any model runs. -#}
{% macro analysis_settings() -%}
    {%- set defaults = {
        'tag_catalog': var('tag_catalog', []),
        'column_pairs': var('column_pairs', []),
        'comparison_split': var('comparison_split'),
    } -%}
    {%- set overrides = var('project_settings', {}) or {} -%}
    {%- if overrides is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var project_settings: expected a map from 'entity/project' to settings, got "
            ~ overrides | string
        ) }}
    {%- endif -%}
    {%- set scopes = {'*': resolved_analysis_settings(defaults, none)} -%}
    {%- for name, entry in overrides.items() | sort -%}
        {%- set parts = (name | string).split('/') -%}
        {%- if parts | length != 2 or not parts[0] or not parts[1] -%}
            {{ exceptions.raise_compiler_error(
                "var project_settings: '" ~ name ~ "' is not a project: write entity/project"
            ) }}
        {%- endif -%}
        {%- if entry is not mapping -%}
            {{ exceptions.raise_compiler_error(
                "var project_settings, project " ~ name
                ~ ": expected keys tag_catalog, column_pairs, comparison_split"
            ) }}
        {%- endif -%}
        {%- set unknown = entry.keys() | reject('in', defaults.keys()) | list -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error(
                "var project_settings, project " ~ name ~ ": unknown key '" ~ unknown[0]
                ~ "' (allowed: tag_catalog, column_pairs, comparison_split)"
            ) }}
        {%- endif -%}
        {%- set merged = defaults.copy() -%}
        {%- do merged.update(entry) -%}
        {%- do scopes.update({name: resolved_analysis_settings(merged, name)}) -%}
    {%- endfor -%}
    {{ return({'scopes': scopes, 'projects': scopes.keys() | reject('equalto', '*') | list}) }}
{%- endmacro %}


{#- One scope's settings, checked, with every default filled in. `project` is none for the
    defaults (their entries are named by their own var). -#}
{% macro resolved_analysis_settings(settings, project) -%}
    {%- set where = (
        'var project_settings, project ' ~ project ~ ', ' if project is not none else 'var '
    ) -%}
    {%- set catalog = [] -%}
    {%- set columns = {} -%}
    {%- set entries = settings['tag_catalog'] or [] -%}
    {%- if entries is string or entries is mapping -%}
        {{ exceptions.raise_compiler_error(where ~ "tag_catalog: expected a list of {tag, category}") }}
    {%- endif -%}
    {%- for entry in entries -%}
        {%- set label = where ~ 'tag_catalog entry ' ~ loop.index -%}
        {%- if entry is not mapping or not entry.get('tag') -%}
            {{ exceptions.raise_compiler_error(label ~ ": missing key 'tag'") }}
        {%- endif -%}
        {%- set tag = entry['tag'] | string -%}
        {%- set label = label ~ ' (' ~ tag ~ ')' -%}
        {%- if not entry.get('category') -%}
            {{ exceptions.raise_compiler_error(label ~ ": missing key 'category'") }}
        {%- endif -%}
        {%- set column = tag_column_name(tag) -%}
        {%- if column in columns -%}
            {{ exceptions.raise_compiler_error(
                label ~ ": maps to column " ~ column ~ " like tag '" ~ columns[column]
                ~ "'; keep one of them"
            ) }}
        {%- endif -%}
        {%- do columns.update({column: tag}) -%}
        {%- do catalog.append({
            'tag': tag, 'category': entry['category'] | string, 'column': column
        }) -%}
    {%- endfor -%}

    {%- set pairs = [] -%}
    {%- set names = [] -%}
    {%- set roles = {} -%}
    {%- set entries = settings['column_pairs'] or [] -%}
    {%- if entries is string or entries is mapping -%}
        {{ exceptions.raise_compiler_error(where ~ "column_pairs: expected a list of {name, config, summary, compare}") }}
    {%- endif -%}
    {%- for entry in entries -%}
        {%- set label = where ~ 'column_pairs entry ' ~ loop.index -%}
        {%- if entry is not mapping -%}
            {{ exceptions.raise_compiler_error(label ~ ": expected {name, config, summary, compare}") }}
        {%- endif -%}
        {%- if entry.get('name') -%}
            {%- set label = label ~ ' (' ~ entry['name'] ~ ')' -%}
        {%- endif -%}
        {%- for key in ['name', 'config', 'summary'] -%}
            {%- if not entry.get(key) -%}
                {{ exceptions.raise_compiler_error(label ~ ": missing key '" ~ key ~ "'") }}
            {%- endif -%}
        {%- endfor -%}
        {%- set unknown = entry.keys() | reject('in', ['name', 'config', 'summary', 'compare', 'role']) | list -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error(
                label ~ ": unknown key '" ~ unknown[0] ~ "' (allowed: name, config, summary, compare, role)"
            ) }}
        {%- endif -%}
        {%- set name = entry['name'] | string -%}
        {%- if name in names -%}
            {{ exceptions.raise_compiler_error(label ~ ": a second pair named " ~ name ~ "; pair names must differ") }}
        {%- endif -%}
        {%- do names.append(name) -%}
        {%- set compare = entry.get('compare', 'integer') -%}
        {%- if compare not in ['integer', 'number', 'text'] -%}
            {{ exceptions.raise_compiler_error(
                label ~ ": compare must be integer, number or text, not '" ~ compare ~ "'"
            ) }}
        {%- endif -%}
        {%- set role = entry.get('role') -%}
        {%- if role is not none -%}
            {%- if role not in ['pretrain_steps', 'pretrain_compute'] -%}
                {{ exceptions.raise_compiler_error(
                    label ~ ": role must be pretrain_steps or pretrain_compute, not '" ~ role ~ "'"
                ) }}
            {%- endif -%}
            {%- if role in roles -%}
                {{ exceptions.raise_compiler_error(
                    label ~ ": role " ~ role ~ " is already pair " ~ roles[role] ~ "'s; one pair per role"
                ) }}
            {%- endif -%}
            {%- do roles.update({role: name}) -%}
        {%- endif -%}
        {%- do pairs.append({
            'name': name,
            'config': entry['config'] | string,
            'summary': entry['summary'] | string,
            'compare': compare,
            'role': role,
        }) -%}
    {%- endfor -%}

    {%- set split = settings['comparison_split'] -%}
    {%- set label = where ~ 'comparison_split' -%}
    {%- if split is not mapping -%}
        {{ exceptions.raise_compiler_error(label ~ ": expected {name, source, path, groups}") }}
    {%- endif -%}
    {%- for key in ['name', 'path'] -%}
        {%- if not split.get(key) -%}
            {{ exceptions.raise_compiler_error(label ~ ": missing key '" ~ key ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set source = split.get('source', 'config') -%}
    {%- if source not in ['config', 'summary'] -%}
        {{ exceptions.raise_compiler_error(label ~ ": source must be config or summary, not '" ~ source ~ "'") }}
    {%- endif -%}
    {%- set groups = split.get('groups', 'presence') -%}
    {%- if groups not in ['presence', 'value'] -%}
        {{ exceptions.raise_compiler_error(label ~ ": groups must be presence or value, not '" ~ groups ~ "'") }}
    {%- endif -%}
    {{ return({
        'tag_catalog': catalog,
        'column_pairs': pairs,
        'comparison_split': {
            'name': split['name'] | string, 'source': source, 'path': split['path'] | string,
            'groups': groups,
        },
    }) }}
{%- endmacro %}
