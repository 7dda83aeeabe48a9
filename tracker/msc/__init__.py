"""Most Significant Change: cycles, domains, stories with consent and safeguarding, selection, feedback."""
