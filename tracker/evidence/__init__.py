"""Evidence items (outcome records, MSC stories, indicator results, documents, links, interview and observation
notes) and their attachment to theory-of-change links and assumptions, with a strength and a note."""
