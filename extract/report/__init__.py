"""The report: the marts as charts, tables and their SQL in one offline HTML page.

queries.py holds the SQL (shown in the page), data.py runs it read-only, charts.py turns
rows into Vega-Lite specs, page.py writes the HTML, build.py the file.
"""
