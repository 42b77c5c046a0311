"""Generated text: diagrams, AsyncAPI documents and the Markdown catalog, through templates."""
