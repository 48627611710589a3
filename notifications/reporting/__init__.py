"""The daily report to the DRC (报送, DESIGN.md "DRC report format").

- `columns`: the column sets of commitments.csv, archives.csv and events.csv, declared once;
- `build`: claiming a date, streaming the rows into the files, publishing the folder atomically;
- `xlsx`: the streaming workbook writer; `bundle`: the report as one zip;
- `push`: uploading a built report to the configured target, attempt by attempt;
- `selectors`: reads for the DRC officers' pages and API.
"""
