"""The Report screen: PDF and XLSX exports with redaction and a page preview."""
