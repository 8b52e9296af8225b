{#- The project's warn-severity data tests, from dbt's graph (at run time only): per test
    its name, a title (a generic test's kind, model and column, not its generated name),
    the sentence of its meta.checks (else its description), the models it reads, whether it
    stores failures and where (schema.alias). Sorted by name. -#}
{% macro warn_data_rules() %}
    {%- set rules = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name') -%}
        {%- if node.resource_type == 'test' and (node.config.severity or '') | lower == 'warn' -%}
            {%- set title = node.name -%}
            {%- if node.test_metadata and node.attached_node -%}
                {%- set title = node.test_metadata.name ~ ' on '
                    ~ node.attached_node.split('.')[-1]
                    ~ ('.' ~ node.column_name if node.column_name else '') -%}
            {%- endif -%}
            {%- set models = [] -%}
            {%- for dependency in node.depends_on.nodes if dependency.startswith('model.') -%}
                {%- do models.append(dependency.split('.')[-1]) -%}
            {%- endfor -%}
            {%- set checks = node.config.meta.get('checks') or node.description or node.name -%}
            {%- do rules.append({
                'name': node.name,
                'title': title,
                'checks': checks.split() | join(' '),
                'models': models | sort | join(', '),
                'stores_failures': node.config.store_failures | default(false, true),
                'relation': node.schema ~ '.' ~ node.alias,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rules) }}
{% endmacro %}
