"""Reading and writing: scheme files, the bureau's spreadsheets, outputs for publication."""
